/// <reference lib="dom" />
/**
 * The console's first paint with 30 days of data (issue 18):
 *
 *   npm run bench:console [-- --patients 100000 --providers 2000 --runs 5]
 *
 * Seeds a scratch database with 30 days of consultations (db:seed), starts the built service as
 * `npm start` runs it, on the embedded default's data path (no Prometheus: the clinical panels are SQL
 * over those 30 days), signs an operator in in Debian's chromium, picks "Last 30 days" and opens every
 * dashboard `runs` times. It reads the console's own Performance API measures (`first panel: <id>` and
 * `all panels: <id>`, from opening a page until its first and its last panel is drawn), the document's
 * first contentful paint, and each panel request's resource timing. Writes loadtests/reports/console.md.
 * A figure, not a test: nothing here fails on a threshold.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { QueryTypes } from 'sequelize';
import { openConsoleBrowser, DASHBOARD_IDS } from '../dashboards/console/test/console-browser';
import { CONSOLE_DIST } from '../dashboards/console/build';
import { loadConfig } from '../service/src/config';
import { createLogger } from '../service/src/observability/logger';
import { createRuntime } from '../service/src/runtime';
import { createTestDatabase, stopTestServer } from '../service/test/support/environment';
import { createOperator, type Identity } from '../service/test/support/identities';
import { productionEnv } from '../service/test/support/production-env';
import { startService } from '../service/test/support/service-process';
import { run, stop } from './load/child';
import { percentile } from './percentile';

const { values: flags } = parseArgs({
  options: {
    patients: { type: 'string', default: '100000' },
    providers: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '5' },
  },
});
const DAYS = 30;
const RANGE_SECONDS = DAYS * 86_400;
const REPORT = join(__dirname, 'reports', 'console.md');

interface Visit {
  readonly firstPanelMs: number;
  readonly allPanelsMs: number;
  /** Panel id -> its data request, from request start to the last byte. */
  readonly requests: Readonly<Record<string, number>>;
}

const ms = (value: number) => `${Math.round(value)} ms`;

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...productionEnv(),
    // A scratch database, dropped at the end (with the embedded test server, when TEST_DATABASE_URL is unset).
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? (await createTestDatabase('bench_console')),
    REDIS_URL: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `carewatch-bench-console-${Date.now().toString(36)}:`,
  };
  console.log(`seeding ${flags.patients} patients, ${flags.providers} providers, ${DAYS} days`);
  await run(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '..', 'db', 'seed', 'cli.ts')].concat(
      ['--patients', flags.patients, '--providers', flags.providers, '--days', String(DAYS)],
      ['--in-flight', '50'],
    ),
    { ...process.env, ...env },
  );

  // The operator is made through the API of an in-process runtime on the same database.
  const runtime = createRuntime(loadConfig(env), env.DATABASE_URL!, createLogger({ level: 'error' }));
  const operator = await createOperator(runtime);
  // What autovacuum does within a minute of a bulk load: without statistics the planner sorts where it
  // would hash, and the figures would measure a database no deployment runs for long.
  await runtime.sequelize.query('ANALYZE');
  const [{ consultations } = { consultations: '0' }] = await runtime.sequelize.query<{
    consultations: string;
  }>(`SELECT count(*) AS consultations FROM consultations WHERE requested_at > now() - interval '30 days'`, {
    type: QueryTypes.SELECT,
  });
  await runtime.close();

  const service = await startService(env, { built: true, keepOutput: false });
  const loadBefore = loadavg()[0] ?? 0;
  const measured = await measure(`http://127.0.0.1:${service.port}`, operator).finally(() =>
    stop(service.child),
  );
  const bundle = readFileSync(join(CONSOLE_DIST, 'app.js'));
  writeReport({
    consultations: Number(consultations),
    ...measured,
    bundleBytes: bundle.length,
    bundleGzipBytes: gzipSync(bundle).length,
    load: [loadBefore, loadavg()[0] ?? 0],
  });
}

/** Signs in, picks 30 days, then opens every page `runs` times, reading the console's measures. */
async function measure(baseUrl: string, operator: Identity) {
  const browser = await openConsoleBrowser(baseUrl);
  const visits = new Map<string, Visit[]>(DASHBOARD_IDS.map((id) => [id, []]));
  try {
    const { page } = browser;
    await browser.signIn(operator);
    const firstContentfulPaint = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
    );
    await page.selectOption('#select-auto-refresh', '0');
    await page.selectOption('#select-time-range', String(RANGE_SECONDS));
    await page.waitForSelector('main[data-loaded="true"]');
    for (let round = 0; round < Number(flags.runs); round += 1) {
      for (const id of DASHBOARD_IDS) {
        await page.evaluate(() => {
          performance.clearMeasures();
          performance.clearResourceTimings();
        });
        await browser.openDashboard(id);
        // No named helpers inside: tsx would wrap them in a __name() the page does not have.
        const visit = await page.evaluate((dashboard) => {
          const [firstPanelMs, allPanelsMs] = ['first panel', 'all panels'].map(
            (name) => performance.getEntriesByName(`${name}: ${dashboard}`)[0]?.duration ?? Number.NaN,
          );
          const requests: Record<string, number> = {};
          for (const entry of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
            const panel = /\/v1\/ops\/panels\/([^/]+)\/data/.exec(entry.name)?.[1];
            if (panel) requests[panel] = entry.responseEnd - entry.startTime;
          }
          return {
            firstPanelMs: firstPanelMs ?? Number.NaN,
            allPanelsMs: allPanelsMs ?? Number.NaN,
            requests,
          };
        }, id);
        visits.get(id)?.push(visit);
      }
    }
    return { firstContentfulPaint, visits };
  } finally {
    await browser.close();
  }
}

function writeReport(figures: {
  consultations: number;
  visits: Map<string, Visit[]>;
  firstContentfulPaint: number;
  bundleBytes: number;
  bundleGzipBytes: number;
  load: [number, number];
}): void {
  const rows = [...figures.visits].map(([id, visits]) => {
    const first = visits.map((v) => v.firstPanelMs);
    const all = visits.map((v) => v.allPanelsMs);
    const requests = new Map<string, number[]>();
    for (const visit of visits)
      for (const [panel, duration] of Object.entries(visit.requests))
        requests.set(panel, [...(requests.get(panel) ?? []), duration]);
    const slowest = [...requests].sort((a, b) => percentile(b[1], 50) - percentile(a[1], 50))[0];
    return `| ${id} | ${ms(percentile(first, 50))} | ${ms(percentile(all, 50))} | ${ms(Math.max(...all))} | ${
      slowest ? `${slowest[0].replace(`${id}.`, '')} ${ms(percentile(slowest[1], 50))}` : ''
    } |`;
  });
  const report = [
    '# Console: first paint with 30 days of data',
    '',
    `Measured ${new Date().toISOString()} by \`npm run bench:console -- --patients ${flags.patients} --providers ${flags.providers} --runs ${flags.runs}\`` +
      ` on ${cpus().length} cores (load average ${figures.load[0].toFixed(1)} before, ${figures.load[1].toFixed(1)} after).`,
    '',
    `Data: ${figures.consultations.toLocaleString('en-US')} consultations requested in the last ${DAYS} days (db:seed), ` +
      'the embedded default path (no Prometheus: the six clinical panels are SQL over the consultation and provider tables; ' +
      'the others answer "needs Prometheus" at once). Time range "Last 30 days" (one point per hour: 720 points).',
    '',
    `Times from opening a page (hash change) until its first panel and every panel is drawn (the console's ` +
      `Performance API measures), over ${flags.runs} visits of each page; the slowest panel request by median.`,
    '',
    '| page | first panel, median | all panels, median | all panels, worst | slowest panel request (median) |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `First contentful paint of /ops (the sign-in page, cold): ${ms(figures.firstContentfulPaint)}. ` +
      `Bundle: app.js ${(figures.bundleBytes / 1024).toFixed(0)} KiB, ${(figures.bundleGzipBytes / 1024).toFixed(0)} KiB gzipped.`,
    '',
  ].join('\n');
  writeFileSync(REPORT, report);
  console.log(report);
}

void main()
  .then(
    () => 0,
    (error: unknown) => {
      console.error(error);
      return 1;
    },
  )
  .then(async (code) => {
    await stopTestServer();
    process.exit(code);
  });
