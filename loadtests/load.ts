import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { build } from 'esbuild';
import { JOB } from '../alerts/src/conventions';
import { startPrometheus, type RunningPrometheus } from '../observability-tests/support/prometheus-server';
import { readArtilleryResults } from './load/artillery-results';
import { writeChart } from './load/chart';
import { measureCpu, pidsListeningOn } from './load/cpu';
import { findKnee } from './load/knee';
import { startLocalService, type LocalService } from './load/local-service';
import { describePhases, LOAD_USAGE, parseLoadOptions, type LoadOptions } from './load/options';
import { SEED_SIZES, TARGETS } from './load/profiles';
import { renderReport } from './load/report';
import { readServiceView, type ServiceView } from './load/service-view';

/**
 * `npm run load -- <profile> [--target URL --credentials FILE]`: runs the artillery personas against one
 * instance it seeds and starts itself, or against any URL; Prometheus scrapes the service meanwhile; a
 * markdown report and a PNG chart land in loadtests/reports/. Exits non-zero when a threshold failed.
 */

const HERE = __dirname;
const ARTILLERY_DIR = join(HERE, 'artillery');
const REPORTS_DIR = join(HERE, 'reports');

/** The processor and the worker-count preload, as CommonJS artillery can require. */
async function bundleForArtillery(): Promise<void> {
  await build({
    entryPoints: [join(ARTILLERY_DIR, 'processor.ts'), join(ARTILLERY_DIR, 'worker-count.ts')],
    outdir: join(ARTILLERY_DIR, 'dist'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
  });
}

/**
 * Artillery exits 21 when any response check failed, however rare. A profile's verdict is its error
 * threshold instead (a failed check fails its user, which the thresholds count); stress has none.
 */
const EXPECTATIONS_FAILED = 21;
function verdict(exitCode: number, checks: readonly string[]): number {
  if (checks.some((line) => line.startsWith('fail: '))) return 1;
  return exitCode === EXPECTATIONS_FAILED ? 0 : exitCode;
}

/** Runs artillery, its output shown and kept; answers its exit code, its pid and the ensure verdicts. */
async function runArtillery(options: LoadOptions, target: string, credentials: string, outputJson: string) {
  const child = spawn(
    process.execPath,
    [
      join(HERE, '..', 'node_modules', 'artillery', 'bin', 'run'),
      'run',
      '--environment',
      options.profile,
      '--target',
      target,
      '--output',
      outputJson,
      ...(options.phases ? ['--overrides', JSON.stringify({ config: { phases: options.phases } })] : []),
      join(ARTILLERY_DIR, 'carewatch.yml'),
    ],
    {
      env: {
        ...process.env,
        LOAD_CREDENTIALS: credentials,
        LOAD_WORKERS: String(options.workers),
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(ARTILLERY_DIR, 'dist', 'worker-count.js')}`,
        ARTILLERY_DISABLE_TELEMETRY: 'true',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let printed = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    printed += chunk.toString('utf8');
  });
  return {
    pid: child.pid!,
    done: once(child, 'exit').then(([code]) => {
      const checks = printed
        .split('\n')
        .map((line) => stripVTControlCharacters(line))
        .filter((line) => /^(ok|fail): /.test(line));
      return { exitCode: verdict((code as number | null) ?? 1, checks), checks };
    }),
  };
}

async function main(argv: string[]): Promise<number> {
  const options = parseLoadOptions(argv);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const name = `${options.profile}-${stamp}`;
  await mkdir(join(REPORTS_DIR, 'raw'), { recursive: true });
  await bundleForArtillery();

  let local: LocalService | undefined;
  let prometheus: RunningPrometheus | undefined;
  try {
    if (!options.target)
      local = await startLocalService({
        port: options.port,
        seed: SEED_SIZES[options.profile],
        credentials: options.credentials,
        credentialsDir: join(HERE, '.credentials'),
      });
    const target = options.target ?? local!.url;
    const credentials = options.credentials ?? local!.credentials;
    const [firstScrape, ...moreScrapes] = options.scrape;
    prometheus = await startPrometheus({
      binary: process.env.PROMETHEUS_BINARY ?? 'prometheus',
      target: firstScrape!,
      moreTargets: moreScrapes,
      job: JOB,
      ruleFiles: [],
      scrapeIntervalSeconds: 5,
      port: options.prometheusPort,
    }).catch((error: unknown) => {
      console.error(`Prometheus did not start, the report will lack the service's view: ${String(error)}`);
      return undefined;
    });

    const servicePids = [
      ...options.servicePids,
      ...(local ? [local.pid] : []),
      ...(options.servicePids.length || local
        ? []
        : new URL(target).hostname === '127.0.0.1'
          ? pidsListeningOn(Number(new URL(target).port))
          : []),
    ];
    const loadBefore = loadavg()
      .map((value) => value.toFixed(2))
      .join(' ');
    const outputJson = join(REPORTS_DIR, 'raw', `${name}.json`);
    const artillery = await runArtillery(options, target, credentials, outputJson);
    const cpu = measureCpu(() => ({ generator: [artillery.pid], service: servicePids }));
    const { exitCode, checks } = await artillery.done;
    const usage = cpu.stop();

    const results = await readArtilleryResults(outputJson);
    let service: ServiceView | undefined;
    if (prometheus) {
      // One more scrape, so the last seconds of the run are in.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      service = await readServiceView(prometheus.url, results.startedAt, results.endedAt).catch(
        (error: unknown) => {
          console.error(`Prometheus query failed: ${String(error)}`);
          return undefined;
        },
      );
    }
    const chartFile = `${name}.png`;
    // A chart that fails to render must not cost the report of a long run.
    await writeChart(
      join(REPORTS_DIR, chartFile),
      `Carewatch ${options.profile}: throughput, latency and memory`,
      results.timeline,
      service,
    ).catch((error: unknown) => console.error(`chart not rendered: ${String(error)}`));
    const report = renderReport(
      {
        profile: options.profile,
        intent: options.phases
          ? `${TARGETS[options.profile]}; shortened for this run to the phases ${describePhases(options.phases)}`
          : TARGETS[options.profile],
        target,
        workers: options.workers,
        exitCode,
        checks,
        loadBefore,
        chartFile,
      },
      results,
      service,
      usage,
      findKnee(results.timeline),
    );
    const reportFile = join(REPORTS_DIR, `${name}.md`);
    await writeFile(reportFile, report);
    console.log(`\n${report}\nreport: ${relative(process.cwd(), reportFile)}`);
    return exitCode;
  } finally {
    await prometheus?.stop();
    await local?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.error(LOAD_USAGE);
    process.exit(1);
  },
);
