/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { parse } from 'yaml';
import { toolOrSkip } from '../../alerts/src/binaries';
import { EXPECTED_EMPTY_PANELS } from '../../observability-tests/expected-empty-panels';
import { alertmanagerAlerts, silence } from '../../observability-tests/support/alertmanager-server';
import { expireRequest } from '../../observability-tests/support/clinical-workload';
import { observeService, type ObservedService } from '../../observability-tests/support/observed-service';
import { pollUntil } from '../../observability-tests/support/poll';
import { queryNumber } from '../../observability-tests/support/prometheus-api';
import { CONSOLE_DASHBOARDS } from '../../service/src/console/catalog';
import { boundedRange } from '../../service/src/console/time-range';
import { auditedRoutes } from '../../service/test/support/audited-routes';
import { OTHER_SPECIALTY } from '../../service/test/support/clinical-http';
import {
  DISTINCTIVE_NAME_PREFIXES,
  createOperator,
  createPatient,
  useDistinctivePhi,
  type Identity,
} from '../../service/test/support/identities';
import { buildConsole } from './build';
import { DASHBOARD_IDS, openConsoleBrowser, type ConsoleBrowser } from './test/console-browser';

// The console as a deployment runs it: the service scraped by a real Prometheus (our rule files, 1 s
// evaluations) that sends to a real Alertmanager (our routing), the service told both URLs, the synthetic
// workload running. An operator signs in with TOTP and opens every page. With CONSOLE_SCREENSHOTS=<dir>
// it saves each page in both themes (README's pictures: CONSOLE_SCREENSHOTS=docs/console).

/** Fires with no `for:` when 3 requests of a specialty expired within 15 minutes, at any hour. */
const ALERT = 'CarewatchConsultationRequestsExpiring';
const RAISED_IN = OTHER_SPECIALTY;
/** The step the service gives "Last hour" (15 s). */
const LAST_HOUR_STEP = boundedRange({ from: 0, to: 3600 }).step;

interface RuleFile {
  groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
}

function annotationsOf(ruleFiles: readonly string[], alert: string): Record<string, string> {
  const rule = ruleFiles
    .flatMap((file) => (parse(readFileSync(file, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules))
    .find((r) => r.alert === alert);
  if (!rule?.annotations) throw new Error(`${alert} is in no loaded rule file`);
  return rule.annotations;
}

/** The recording rules the SLO page's panels read, the last of each chain. */
const SLO_PAGE_SERIES = [
  'slo:current_burn_rate:ratio',
  'slo:period_error_budget_remaining:ratio',
  'slo:sli_error:ratio_rate1h',
] as const;

describe('the operations console against a real Prometheus and Alertmanager', function () {
  this.timeout(240_000);
  let observed: ObservedService;
  let browser: ConsoleBrowser;
  let operator: Identity;
  let patient: Identity;
  /** What the page showed, text and attributes, page after page. */
  const shown: string[] = [];

  before(async function () {
    const prometheusBinary = toolOrSkip(this, 'prometheus');
    const alertmanagerBinary = toolOrSkip(this, 'alertmanager');
    await buildConsole();
    // Every patient the workload creates gets names no page has a reason to show.
    useDistinctivePhi(true);
    try {
      observed = await observeService(prometheusBinary, {
        alertmanagerBinary,
        keepWorkload: true,
        // Raised on purpose, through the API: three requests nobody accepts expire.
        async beforeRounds(runtime, serviceUrl) {
          patient = await createPatient(runtime);
          for (let i = 0; i < 3; i += 1) await expireRequest(serviceUrl, runtime, patient, RAISED_IN);
        },
      });
    } finally {
      useDistinctivePhi(false);
    }
    operator = await createOperator(observed.runtime);
    const alertmanagerUrl = observed.alertmanagerUrl ?? '';
    await pollUntil(`Prometheus to send ${ALERT} to Alertmanager`, async () =>
      (await alertmanagerAlerts(alertmanagerUrl)).some(
        (a) => a.labels.alertname === ALERT && a.labels.specialty === RAISED_IN,
      ),
    );
    // The page asks for the last hour, one point every 15 s, rates over a minute: its newest point draws
    // once that minute holds two scrapes of the service.
    await pollUntil('a 15 s grid point with two scrapes in its rate window', async () => {
      const newestPoint = Math.floor(Date.now() / 1000 / LAST_HOUR_STEP) * LAST_HOUR_STEP;
      const scrapes = await queryNumber(
        observed.prometheusUrl,
        'count_over_time(up{job="carewatch"}[1m])',
        newestPoint,
      );
      return scrapes >= 2;
    });
    // The SLO page reads recording rules built on other recording rules, each a rule evaluation behind the
    // one before: on a loaded machine the last of them can trail the scrapes by several seconds.
    await pollUntil('the SLO recording rules at the newest grid point', async () => {
      const newestPoint = Math.floor(Date.now() / 1000 / LAST_HOUR_STEP) * LAST_HOUR_STEP;
      const counts = await Promise.all(
        SLO_PAGE_SERIES.map((series) =>
          queryNumber(
            observed.prometheusUrl,
            `count(${series}{sloth_service="carewatch"} >= -Inf)`,
            newestPoint,
          ),
        ),
      );
      return counts.every((count) => count >= 1);
    });
    browser = await openConsoleBrowser(observed.serviceUrl);
  });

  after(async () => {
    await browser?.close();
    await observed?.stop();
  });

  /** Remembers the page's text and every attribute value (labels, links), for the PHI check. */
  async function remember(): Promise<void> {
    shown.push(
      await browser.page.evaluate(() =>
        [
          document.body.innerText,
          ...Array.from(document.querySelectorAll('*')).flatMap((node) =>
            Array.from(node.attributes).map((a) => a.value),
          ),
        ].join('\n'),
      ),
    );
  }

  it('signs an operator in with password and TOTP; the panels come from Prometheus', async () => {
    await browser.signIn(operator);
    const { page } = browser;
    // Refreshes would redraw panels under the assertions; the test opens each page itself. The shortest
    // range, as Prometheus holds only the minutes of this test.
    await page.selectOption('#select-auto-refresh', '0');
    await page.selectOption('#select-time-range', '3600');
    await page.waitForSelector('main[data-loaded="true"]');
    expect(await page.locator('p.notice').first().innerText()).to.equal('Panels come from Prometheus.');
  });

  it('draws data in every panel of every page, but those the workload cannot fill', async () => {
    const problems: string[] = [];
    for (const dashboard of CONSOLE_DASHBOARDS) {
      await browser.openDashboard(dashboard.id);
      await remember();
      for (const panel of dashboard.rows.flatMap((row) => row.panels)) {
        const card = browser.page.locator(`section.panel[aria-labelledby="title-${panel.id}"]`);
        const drawn = (await card.locator('.uplot canvas, p.stat').count()) > 0;
        const state = drawn ? 'drawn' : await card.locator('.panel-body').innerText();
        const expectation = EXPECTED_EMPTY_PANELS.find(
          (e) => e.dashboardUid === dashboard.uid && e.panelTitle === panel.title,
        );
        if (expectation === undefined && !drawn) problems.push(`${panel.id}: ${state}`);
        if (expectation?.kind === 'fault' && drawn) problems.push(`${panel.id}: drawn, listed as empty`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('shows the patient-safety alert Prometheus raised, through Alertmanager, with its details', async () => {
    const { page } = browser;
    await browser.openDashboard(DASHBOARD_IDS[0] ?? '');
    const item = page.locator('section.alerts li', { hasText: `${ALERT} (${RAISED_IN})` });
    const annotations = annotationsOf(observed.ruleFiles, ALERT);
    const text = await item.innerText();
    expect(text).to.match(/^Patient safety · critical /);
    expect(text).to.include(annotations.summary);
    expect(text).to.not.include('silenced');
    expect(await item.locator('a', { hasText: 'Runbook' }).getAttribute('href')).to.equal(
      annotations.runbook_url,
    );
    const since = Date.parse((await item.locator('time').getAttribute('datetime')) ?? '');
    expect(since, 'since when').to.be.within(Date.now() - 300_000, Date.now());
    // Patient safety comes before every other alert.
    const flags = await page
      .locator('section.alerts li')
      .evaluateAll((items) => items.map((li) => li.classList.contains('patient-safety')));
    expect(flags.indexOf(false) === -1 || flags.lastIndexOf(true) < flags.indexOf(false)).to.equal(true);
  });

  it("shows Alertmanager's silence on the alert", async () => {
    const { page } = browser;
    await silence(
      observed.alertmanagerUrl ?? '',
      { alertname: ALERT, specialty: RAISED_IN },
      'The dermatology rota is covered by phone until noon.',
    );
    const item = page.locator('section.alerts li', { hasText: `${ALERT} (${RAISED_IN})` });
    // The strip is read again whenever a page opens.
    await pollUntil('the strip to show the silence', async () => {
      await browser.openDashboard(DASHBOARD_IDS[1] ?? '');
      return (await item.locator('.silenced').count()) === 1;
    });
    expect(await page.locator('section.alerts h2').innerText()).to.match(/, 1 silenced$/);
  });

  it('refuses the signed-in operator every PHI route, from the page, with 403', async () => {
    const { page } = browser;
    // The operator's access token, as the page sends it.
    const sent = page.waitForRequest((r) => r.url().includes('/v1/ops/') && !!r.headers().authorization);
    await browser.openDashboard(DASHBOARD_IDS[0] ?? '');
    const authorization = (await sent).headers().authorization ?? '';
    const calls = auditedRoutes(observed.runtime).map((route) => {
      const [method = '', template = ''] = route.split(' ');
      // A real patient's id wherever the route names a record: the role guard must answer first.
      return { method, path: template.replace(/:\w+/g, patient.userId) };
    });
    expect(calls).to.have.length.greaterThan(10);
    const answers = await page.evaluate(
      async ({ calls, authorization }) =>
        Promise.all(
          calls.map(async ({ method, path }) => {
            const hasBody = method !== 'GET' && method !== 'DELETE';
            const response = await fetch(path, {
              method,
              headers: {
                authorization,
                ...(hasBody ? { 'content-type': 'application/json' } : {}),
              },
              ...(hasBody ? { body: '{}' } : {}),
            });
            return `${method} ${path}: ${response.status}`;
          }),
        ),
      { calls, authorization },
    );
    expect(answers.filter((a) => !a.endsWith(': 403'))).to.deep.equal([]);
  });

  it('never shows a patient id, name or email on any page', async () => {
    const patients = await observed.runtime.sequelize.query<{
      id: string;
      given_name: string;
      family_name: string;
      email: string;
    }>(
      `SELECT p.user_id AS id, p.given_name, p.family_name, u.email
         FROM patients p JOIN users u ON u.id = p.user_id`,
      { type: QueryTypes.SELECT },
    );
    expect(patients.map((p) => p.id)).to.include(patient.userId);
    const secrets = [
      ...DISTINCTIVE_NAME_PREFIXES,
      ...patients.flatMap((p) => [p.id, p.email, `${p.given_name} ${p.family_name}`]),
    ];
    const page = shown.join('\n');
    expect(shown).to.have.length(CONSOLE_DASHBOARDS.length);
    expect(secrets.filter((secret) => page.includes(secret))).to.deep.equal([]);
  });

  it('has no axe violation on any page, in either theme, and takes the pictures', async () => {
    const { page } = browser;
    const shots = process.env.CONSOLE_SCREENSHOTS;
    await browser.everyPageInBothThemes(async (id, theme) => {
      expect(await browser.axeViolations(), `${id} (${theme})`).to.deep.equal([]);
      if (shots) await page.screenshot({ path: join(shots, `${id}-${theme}.png`), fullPage: true });
    });
    await page.setViewportSize({ width: 390, height: 844 });
    await browser.setTheme('light');
    await browser.openDashboard('healthcare-operations');
    expect(await browser.axeViolations()).to.deep.equal([]);
    if (shots)
      await page.screenshot({ path: join(shots, 'healthcare-operations-390px.png'), fullPage: true });
    // The PHI probes' refusals are logged by chromium too; any other error is the console's.
    const probes = /status of 403 .*\/v1\/(?!ops\/)/;
    expect(browser.pageErrors.filter((error) => !probes.test(error))).to.deep.equal([]);
    expect(observed.workload.failure()).to.equal(undefined);
  });
});
