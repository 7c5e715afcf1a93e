import type { ArtilleryResults, Latency } from './artillery-results';
import type { CpuUsage } from './cpu';
import { driftSlices } from './drift';
import { findThresholdBreak, THRESHOLD_P99_MS, type Knee } from './knee';
import type { ServiceView } from './service-view';

export interface RunFacts {
  readonly profile: string;
  readonly intent: string;
  readonly target: string;
  readonly workers: number;
  readonly exitCode: number;
  /** The ensure plugin's verdicts, as artillery printed them ("ok: ..." / "fail: ..."). */
  readonly checks: string[];
  readonly loadBefore: string;
  readonly chartFile: string;
}

const ms = (value: number | undefined) => (value === undefined ? '–' : `${Math.round(value)}`);
const fixed = (value: number | undefined, digits = 1) => (value === undefined ? '–' : value.toFixed(digits));
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const table = (header: string[], rows: (string | number)[][]) =>
  [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
const latencyCells = (latency: Latency | undefined) => [ms(latency?.p50), ms(latency?.p95), ms(latency?.p99)];

/**
 * Does the service's view match the generator's? Rates within 10 %. The service's p99 comes from a
 * histogram with coarse buckets (…0.1, 0.25, 0.5, 1, 2 s), interpolated, and excludes time in the
 * generator's and the kernel's queues: it may read up to half of artillery's, or a quarter more, or 50 ms off.
 */
export function agreement(kind: 'rate' | 'p99', generator: number, service: number | undefined): string {
  if (service === undefined) return 'no data';
  if (kind === 'rate')
    return Math.abs(service - generator) <= 0.1 * Math.max(generator, 1) ? 'agree' : '**DISAGREE**';
  const ratio = service / Math.max(generator, 1e-9);
  return Math.abs(service - generator) <= 50 || (ratio >= 0.5 && ratio <= 1.25) ? 'agree' : '**DISAGREE**';
}

export function renderReport(
  facts: RunFacts,
  results: ArtilleryResults,
  service: ServiceView | undefined,
  cpu: CpuUsage,
  knee: Knee | undefined,
): string {
  const seconds = (results.endedAt.getTime() - results.startedAt.getTime()) / 1000;
  const errorRatio = results.usersFailed / Math.max(1, results.requests);
  const peakRate = Math.max(0, ...results.timeline.map((point) => point.requestRate));
  const thresholdBreak = findThresholdBreak(results.timeline);
  const serverErrors = Object.entries(results.codes)
    .filter(([code]) => code.startsWith('5'))
    .reduce((sum, [, count]) => sum + count, 0);

  const sections = [
    `# Load test: ${facts.profile}, ${results.startedAt.toISOString()}`,
    `${facts.intent}. Target ${facts.target}; artillery 2.0.21 with ${facts.workers} worker(s); ` +
      `${fixed(seconds / 60)} minutes; verdict ${facts.exitCode === 0 ? 'pass' : `fail (exit code ${facts.exitCode})`}. ` +
      `Machine: ${cpu.cores} cores, load average ${facts.loadBefore} before, ${cpu.loadAverage} after.`,
    `![throughput and latency](${facts.chartFile})`,
    '## Summary',
    table(
      [
        'achieved req/s (mean)',
        'peak 10 s req/s',
        'concurrent users (peak)',
        'users',
        'requests',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'errors',
      ],
      [
        [
          fixed(results.requestRate),
          fixed(peakRate),
          results.peakConcurrentUsers,
          results.usersCreated,
          results.requests,
          ...latencyCells(results.overall),
          `${results.usersFailed} failed users (${fixed(100 * errorRatio, 3)} % of requests), ${serverErrors} 5xx`,
        ],
      ],
    ),
    '## Thresholds (artillery-plugin-ensure)',
    facts.checks.length ? facts.checks.map((line) => `- ${line}`).join('\n') : '- none for this profile',
    '## By persona',
    table(
      ['persona', 'users', 'requests', 'p50 ms', 'p95 ms', 'p99 ms'],
      results.personas.map((persona) => [
        persona.name,
        persona.users,
        persona.requests,
        ...latencyCells(persona.latency),
      ]),
    ),
    `Accept races: ${results.acceptRaces.won} won, ${results.acceptRaces.lost} lost (409, another provider was first).`,
    '## By endpoint (artillery-plugin-metrics-by-endpoint)',
    table(
      ['endpoint', 'requests', 'p50 ms', 'p95 ms', 'p99 ms', 'status codes'],
      results.endpoints.map((endpoint) => [
        endpoint.name,
        endpoint.latency.count,
        ...latencyCells(endpoint.latency),
        Object.entries(endpoint.codes)
          .map(([code, count]) => `${code}: ${count}`)
          .join(', '),
      ]),
    ),
    Object.keys(results.errors).length
      ? `Errors: ${Object.entries(results.errors)
          .map(([name, count]) => `${name}: ${count}`)
          .join('; ')}`
      : 'Errors: none.',
    '## What the service measured (Prometheus) next to artillery',
    service
      ? [
          table(
            ['figure', 'artillery', 'service', ''],
            [
              [
                'request rate (req/s)',
                fixed(results.requestRate),
                fixed(service.requestRate),
                agreement('rate', results.requestRate, service.requestRate),
              ],
              [
                'p99 (ms)',
                ms(results.overall?.p99),
                ms(service.p99Seconds === undefined ? undefined : service.p99Seconds * 1000),
                agreement(
                  'p99',
                  results.overall?.p99 ?? 0,
                  service.p99Seconds === undefined ? undefined : service.p99Seconds * 1000,
                ),
              ],
            ],
          ),
          '',
          table(
            ['service figure', 'value'],
            [
              ...service.slo.map((slo) => [`SLO ${slo.name}: burn rate`, fixed(slo.burnRate, 2)]),
              ...service.slo.map((slo) => [
                `SLO ${slo.name}: 30-day error budget spent by this run`,
                `${fixed(slo.budgetSpentPercent, 4)} %`,
              ]),
              ['logins refused: password-hash queue full (503)', fixed(service.loginsShed, 0)],
              ['database pool: waiting requests, max', fixed(service.dbPoolWaitingMax, 0)],
              [
                'database pool: acquire p99 (ms)',
                ms(
                  service.dbAcquireP99Seconds === undefined ? undefined : service.dbAcquireP99Seconds * 1000,
                ),
              ],
              ['audit events written (per s)', fixed(service.auditWriteRate)],
              ['audit write failures', fixed(service.auditWriteFailures, 0)],
              ['audit sealer lag, max (s)', fixed(service.sealerLagMaxSeconds, 2)],
              [
                'event-loop lag p99, max (ms)',
                ms(
                  service.eventLoopLagP99Seconds === undefined
                    ? undefined
                    : service.eventLoopLagP99Seconds * 1000,
                ),
              ],
              [
                'resident memory, max (MB)',
                fixed(
                  service.residentMemoryMaxBytes === undefined
                    ? undefined
                    : service.residentMemoryMaxBytes / 2 ** 20,
                  0,
                ),
              ],
            ],
          ),
          '',
          'p99 by route, as the service measured it (busiest first):',
          '',
          table(
            ['route', 'req/s', 'p99 ms'],
            service.p99ByRoute
              .slice(0, 20)
              .map((route) => [route.route, fixed(route.rate, 2), ms(route.seconds * 1000)]),
          ),
        ].join('\n')
      : 'Prometheus was not available: no service-side figures.',
    "## Drift over the run (latency and the largest instance's memory)",
    service
      ? table(
          ['minutes', 'req/s', 'worst 10 s p99 ms', 'resident set MB', 'V8 heap used MB'],
          driftSlices(results.timeline, service.memory).map((slice) => [
            `${fixed(slice.fromMinute)}–${fixed(slice.toMinute)}`,
            fixed(slice.requestRate),
            ms(slice.worstP99),
            fixed(slice.rssBytes === undefined ? undefined : slice.rssBytes / 2 ** 20, 0),
            fixed(slice.heapUsedBytes === undefined ? undefined : slice.heapUsedBytes / 2 ** 20, 0),
          ]),
        )
      : 'Prometheus was not available: no memory figures.',
    '## CPU: generator against service',
    table(
      [
        'generator (artillery)',
        'service',
        'PostgreSQL (all on the machine)',
        'whole machine (everyone)',
        'cores',
      ],
      [
        [
          fixed(cpu.generatorCores, 2),
          fixed(cpu.serviceCores, 2),
          fixed(cpu.postgresCores, 2),
          fixed(cpu.machineCores, 2),
          cpu.cores,
        ],
      ],
    ),
    'Average cores used over the run, from /proc/<pid>/stat deltas (process trees). Per process (by ' +
      "command name; the generator's and the service's process trees under their own names):",
    table(
      ['process', 'cores'],
      cpu.byProcess.slice(0, 12).map((entry) => [entry.name, fixed(entry.cores, 2)]),
    ),
    '## Knee',
    knee
      ? `Broke at ${new Date(knee.broke.at).toISOString()}: ${knee.reason} (baseline p99 ${ms(knee.baselineP99)} ms). ` +
        `Last good period: ${fixed(knee.lastGood.requestRate)} req/s, ${knee.lastGood.concurrentUsers} concurrent users, ` +
        `${fixed(knee.lastGood.arrivals / 10)} arrivals/s, p99 ${ms(knee.lastGood.p99)} ms. ` +
        `At the break: ${fixed(knee.broke.requestRate)} req/s, ${knee.broke.concurrentUsers} users, p99 ${ms(knee.broke.p99)} ms.`
      : 'No knee: p99 stayed within four times its early level (or under 1 s) and users did not fail.',
    thresholdBreak
      ? `Against day's and peak's threshold (p99 < ${THRESHOLD_P99_MS} ms, under 1 % failed users): ` +
        `last met at ${fixed(thresholdBreak.lastGood.requestRate)} req/s, ${thresholdBreak.lastGood.concurrentUsers} ` +
        `concurrent users, ${fixed(thresholdBreak.lastGood.arrivals / 10)} arrivals/s (p99 ${ms(thresholdBreak.lastGood.p99)} ms); ` +
        `broken at ${new Date(thresholdBreak.broke.at).toISOString()}: ${thresholdBreak.reason}.`
      : `The threshold (p99 < ${THRESHOLD_P99_MS} ms, under 1 % failed users) held in every period.`,
  ];
  return `${sections.join('\n\n')}\n`;
}
