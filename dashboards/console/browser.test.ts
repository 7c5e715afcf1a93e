/// <reference lib="dom" />
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createConsultation } from '../../service/test/support/clinical-factories';
import type { Identity } from '../../service/test/support/identities';
import { useTestApp } from '../../service/test/support/test-app';
import { buildConsole } from './build';
import { openConsoleBrowser, type ConsoleBrowser } from './test/console-browser';

// The console in a real browser against the service on the embedded default (clinical panels from SQL,
// alerts from the patient-safety conditions in SQL). The same console against a real Prometheus and
// Alertmanager, and the screenshots, are in prometheus.browser.test.ts.

describe('the operations console in a browser', function () {
  this.timeout(180_000);
  const app = useTestApp();
  let server: Server;
  let base: string;
  let browser: ConsoleBrowser;
  let operator: Identity;

  before(async () => {
    await buildConsole();
    server = createServer(app.runtime.app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const admin = await app.admin();
    operator = await app.operator({ admin });
    const patient = await app.patient();
    const provider = await app.provider({ admin, specialty: 'psychiatry' });
    const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);
    for (const [requested, accepted] of [
      [90, 88],
      [60, 55],
      [30, 29],
    ] as const) {
      await createConsultation(app.runtime.models, patient.userId, {
        status: 'completed',
        specialty: 'psychiatry',
        providerId: provider.userId,
        requestedAt: minutesAgo(requested),
        acceptedAt: minutesAgo(accepted),
        startedAt: minutesAgo(accepted - 1),
        endedAt: minutesAgo(accepted - 20),
      });
    }
    // Raised on purpose: a request that expired unanswered a few minutes ago is a patient-safety alert.
    await createConsultation(app.runtime.models, patient.userId, {
      status: 'expired',
      specialty: 'psychiatry',
      requestedAt: minutesAgo(40),
      endedAt: minutesAgo(5),
    });
    browser = await openConsoleBrowser(base);
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('signs an operator in with password and TOTP, and is clean under axe on the sign-in page', async () => {
    await browser.page.goto(`${base}/ops`);
    await browser.page.waitForSelector('form.signin');
    expect(await browser.axeViolations()).to.deep.equal([]);
    await browser.signIn(operator);
  });

  it('draws the clinical panels from the database', async () => {
    const { page } = browser;
    await browser.openDashboard('healthcare-operations');
    const charts = await page.locator('.panel .uplot canvas').count();
    expect(charts, 'panels drawn as charts').to.be.greaterThan(2);
    const acceptance = page.locator('section.panel', { hasText: 'Time to acceptance' });
    expect(await acceptance.locator('.uplot').count()).to.equal(1);
    expect(await acceptance.locator('.u-legend').innerText()).to.include('psychiatry');
    const pending = page.locator('section.panel', { hasText: 'Pending requests' });
    expect(await pending.locator('.state-unavailable').innerText()).to.include('PROMETHEUS_URL');
  });

  it('shows the patient-safety alert raised on purpose at the top of the alert strip', async () => {
    const strip = browser.page.locator('section.alerts');
    await strip.locator('li').first().waitFor();
    const first = await strip.locator('li').first().innerText();
    expect(first).to.include('Patient safety');
    expect(await strip.innerText()).to.include('CarewatchConsultationRequestsExpiring (psychiatry)');
    expect(await strip.locator('a', { hasText: 'Runbook' }).first().getAttribute('href')).to.match(
      /runbooks/,
    );
  });

  it('opens every dashboard page, in both themes, at 1280 and 390 px, with no axe violation or page error', async () => {
    const { page } = browser;
    await browser.everyPageInBothThemes(async (id, theme) => {
      expect(await browser.axeViolations(), `${id} (${theme})`).to.deep.equal([]);
    });
    await page.setViewportSize({ width: 390, height: 844 });
    await browser.openDashboard('healthcare-operations');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, 'horizontal overflow at 390 px').to.be.at.most(0);
    expect(await browser.axeViolations()).to.deep.equal([]);
    expect(browser.pageErrors).to.deep.equal([]);
  });

  it('reaches the dashboards with the keyboard alone', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.keyboard.press('Tab');
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    const seen: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      seen.push(await focused());
      await page.keyboard.press('Tab');
    }
    expect(seen.join('|')).to.include('SLOs');
  });
});
