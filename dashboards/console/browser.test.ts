/// <reference lib="dom" />
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import axe from 'axe-core';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createConsultation } from '../../service/test/support/clinical-factories';
import type { Identity } from '../../service/test/support/identities';
import { useTestApp } from '../../service/test/support/test-app';
import { buildConsole } from './build';

// The console in a real browser (Debian's chromium through playwright-core) against the service on the
// embedded default (clinical panels from SQL, alerts from the patient-safety conditions in SQL). With
// CONSOLE_SCREENSHOTS=<dir> it also saves a screenshot of each page in both themes.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DASHBOARDS = ['healthcare-operations', 'slo', 'hipaa-audit', 'service-overview', 'data-stores'];

describe('the operations console in a browser', function () {
  this.timeout(180_000);
  const app = useTestApp();
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let operator: Identity;
  const pageErrors: string[] = [];

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
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${message.text()} ${message.location().url}`);
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function axeViolations(): Promise<string[]> {
    // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses an injected script tag.
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
    const results = await page.evaluate(() =>
      (window as unknown as { axe: typeof axe }).axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      }),
    );
    return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  async function openDashboard(id: string): Promise<void> {
    await page.evaluate((hash) => {
      window.location.hash = hash;
    }, `#/${id}`);
    await page.waitForSelector(`nav a[aria-current="page"][href="#/${id}"]`);
    await page.waitForSelector('main[data-loaded="true"]', { timeout: 30_000 });
  }

  it('signs an operator in with password and TOTP, and is clean under axe on the sign-in page', async () => {
    await page.goto(`${base}/ops`);
    await page.waitForSelector('form.signin');
    expect(await axeViolations()).to.deep.equal([]);
    await page.fill('#field-email', operator.email);
    await page.fill('#field-password', operator.password);
    await page.click('button[type="submit"]');
    await page.waitForSelector('#field-code');
    await page.fill('#field-code', (await operator.nextTotpCode()) ?? '');
    await page.click('button[type="submit"]');
    await page.waitForSelector('main[data-loaded="true"]', { timeout: 30_000 });
  });

  it('draws the clinical panels from the database', async () => {
    await openDashboard('healthcare-operations');
    const charts = await page.locator('.panel .uplot canvas').count();
    expect(charts, 'panels drawn as charts').to.be.greaterThan(2);
    const acceptance = page.locator('section.panel', { hasText: 'Time to acceptance' });
    expect(await acceptance.locator('.uplot').count()).to.equal(1);
    expect(await acceptance.locator('.u-legend').innerText()).to.include('psychiatry');
    const cpu = page.locator('section.panel', { hasText: 'CPU usage' });
    expect(cpu).to.not.equal(undefined);
  });

  it('shows the patient-safety alert raised on purpose at the top of the alert strip', async () => {
    const strip = page.locator('section.alerts');
    await strip.locator('li').first().waitFor();
    const first = await strip.locator('li').first().innerText();
    expect(first).to.include('Patient safety');
    expect(await strip.innerText()).to.include('CarewatchConsultationRequestsExpiring (psychiatry)');
    expect(await strip.locator('a', { hasText: 'Runbook' }).first().getAttribute('href')).to.match(
      /runbooks/,
    );
  });

  it('opens every dashboard page, in both themes, at 1280 and 390 px, with no axe violation or page error', async () => {
    const shots = process.env.CONSOLE_SCREENSHOTS;
    for (const theme of ['light', 'dark'] as const) {
      await page.evaluate((t) => {
        document.documentElement.dataset.theme = t;
      }, theme);
      for (const id of DASHBOARDS) {
        await openDashboard(id);
        expect(await axeViolations(), `${id} (${theme})`).to.deep.equal([]);
        if (shots) await page.screenshot({ path: join(shots, `${id}-${theme}.png`), fullPage: true });
      }
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await openDashboard('healthcare-operations');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, 'horizontal overflow at 390 px').to.be.at.most(0);
    expect(await axeViolations()).to.deep.equal([]);
    if (shots)
      await page.screenshot({ path: join(shots, 'healthcare-operations-390px.png'), fullPage: true });
    expect(pageErrors).to.deep.equal([]);
  });

  it('reaches the dashboards with the keyboard alone', async () => {
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
