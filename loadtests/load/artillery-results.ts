import { readFile } from 'node:fs/promises';

/** Artillery's `--output` JSON, reduced to what the report shows. */

interface Summary {
  min: number;
  max: number;
  count: number;
  p50: number;
  p95: number;
  p99: number;
}
interface Period {
  counters: Record<string, number>;
  summaries: Record<string, Summary>;
  /** Epoch ms; artillery writes it as a string in intermediate periods. */
  period: number | string;
  firstMetricAt: number;
  lastMetricAt: number;
}
interface ArtilleryOutput {
  aggregate: Period;
  intermediate: Period[];
}

export interface Latency {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface TimelinePoint {
  /** Start of the 10 s period, epoch ms. */
  readonly at: number;
  readonly requestRate: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  readonly failed: number;
  /** Virtual users alive at the end of the period (created minus finished, cumulated). */
  readonly concurrentUsers: number;
  readonly arrivals: number;
}

export interface ArtilleryResults {
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly requests: number;
  readonly requestRate: number;
  readonly overall: Latency | undefined;
  readonly personas: { name: string; users: number; requests: number; latency: Latency | undefined }[];
  readonly endpoints: { name: string; latency: Latency; codes: Record<string, number> }[];
  readonly codes: Record<string, number>;
  readonly errors: Record<string, number>;
  readonly usersCreated: number;
  readonly usersFailed: number;
  readonly acceptRaces: { won: number; lost: number };
  readonly timeline: TimelinePoint[];
  readonly peakConcurrentUsers: number;
}

const latencyOf = (summary: Summary | undefined): Latency | undefined =>
  summary && { count: summary.count, p50: summary.p50, p95: summary.p95, p99: summary.p99, max: summary.max };

/** Counters under `prefix`, keyed by the rest of their name. */
function countersUnder(counters: Record<string, number>, prefix: string): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counters)
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, value]) => [name.slice(prefix.length), value]),
  );
}

const ENDPOINT = 'plugins.metrics-by-endpoint.response_time.';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * Artillery names a failed check by its full URL: one error kind per consultation id and query. Grouped by
 * route (ids as :id, no query string), a thousand failures of one route read as one line.
 */
export function byRoute(errors: Record<string, number>): Record<string, number> {
  const grouped: Record<string, number> = {};
  for (const [name, count] of Object.entries(errors)) {
    const route = name.replace(UUID, ':id').replace(/\?\S*/, '');
    grouped[route] = (grouped[route] ?? 0) + count;
  }
  return grouped;
}

export function summarize(output: ArtilleryOutput): ArtilleryResults {
  const { counters, summaries } = output.aggregate;
  const startedAt = new Date(output.aggregate.firstMetricAt);
  const endedAt = new Date(output.aggregate.lastMetricAt);
  const seconds = Math.max(1, (endedAt.getTime() - startedAt.getTime()) / 1000);
  const users = countersUnder(counters, 'vusers.created_by_name.');

  let alive = 0;
  const timeline = [...output.intermediate]
    .sort((a, b) => Number(a.period) - Number(b.period))
    .map((period) => {
      const c = period.counters;
      const arrivals = c['vusers.created'] ?? 0;
      alive += arrivals - (c['vusers.completed'] ?? 0) - (c['vusers.failed'] ?? 0);
      const latency = period.summaries['http.response_time'];
      const span = Math.max(1, (period.lastMetricAt - period.firstMetricAt) / 1000, 10);
      return {
        at: Number(period.period),
        requestRate: (c['http.requests'] ?? 0) / span,
        p50: latency?.p50,
        p95: latency?.p95,
        p99: latency?.p99,
        failed: c['vusers.failed'] ?? 0,
        concurrentUsers: alive,
        arrivals,
      };
    });

  return {
    startedAt,
    endedAt,
    requests: counters['http.requests'] ?? 0,
    requestRate: (counters['http.requests'] ?? 0) / seconds,
    overall: latencyOf(summaries['http.response_time']),
    personas: Object.keys(users)
      .sort()
      .map((name) => ({
        name,
        users: users[name] ?? 0,
        requests: counters[`persona.${name}.requests`] ?? 0,
        latency: latencyOf(summaries[`persona.${name}.response_time`]),
      })),
    endpoints: Object.entries(summaries)
      .filter(([name]) => name.startsWith(ENDPOINT))
      .map(([name, summary]) => {
        const endpoint = name.slice(ENDPOINT.length);
        return {
          name: endpoint,
          latency: latencyOf(summary)!,
          codes: countersUnder(counters, `plugins.metrics-by-endpoint.${endpoint}.codes.`),
        };
      })
      .sort((a, b) => b.latency.count - a.latency.count),
    codes: countersUnder(counters, 'http.codes.'),
    errors: byRoute(countersUnder(counters, 'errors.')),
    usersCreated: counters['vusers.created'] ?? 0,
    usersFailed: counters['vusers.failed'] ?? 0,
    acceptRaces: { won: counters['queue.accept.won'] ?? 0, lost: counters['queue.accept.lost'] ?? 0 },
    timeline,
    peakConcurrentUsers: Math.max(0, ...timeline.map((point) => point.concurrentUsers)),
  };
}

export async function readArtilleryResults(path: string): Promise<ArtilleryResults> {
  return summarize(JSON.parse(await readFile(path, 'utf8')) as ArtilleryOutput);
}
