import { JOB_MATCHER } from '../../alerts/src/conventions';
import {
  AVAILABILITY_SLO,
  errorBudget,
  LATENCY_SLO,
  SLO_PERIOD_DAYS,
  type SloDefinition,
} from '../../alerts/src/slo-definitions';

/** What the service itself measured during a run, read back from Prometheus's HTTP API. */
export interface ServiceView {
  readonly requestRate: number;
  readonly p99Seconds: number | undefined;
  readonly p99ByRoute: { route: string; seconds: number; rate: number }[];
  readonly slo: { name: string; burnRate: number; budgetSpentPercent: number }[];
  readonly auditWriteRate: number;
  readonly auditWriteFailures: number;
  readonly sealerLagMaxSeconds: number | undefined;
  readonly eventLoopLagP99Seconds: number | undefined;
  readonly residentMemoryMaxBytes: number | undefined;
  readonly dbPoolWaitingMax: number | undefined;
  readonly dbAcquireP99Seconds: number | undefined;
  /** Logins refused at once because the password-hash queue was full (PASSWORD_HASH_MAX_WAIT_MS). */
  readonly loginsShed: number;
  /** Per 10 s: the service's request rate and p99, for the chart. */
  readonly timeline: { at: number; rate: number; p99Seconds: number | undefined }[];
  /** Per 10 s: the largest instance's resident set and used V8 heap, to see memory drift. */
  readonly memory: { at: number; rssBytes: number | undefined; heapUsedBytes: number | undefined }[];
}

const HTTP = 'http_server_request_duration_seconds';

interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

async function query(prometheus: string, path: string, params: Record<string, string>): Promise<Sample[]> {
  const response = await fetch(`${prometheus}/api/v1/${path}?${new URLSearchParams(params).toString()}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`Prometheus: ${body.error ?? response.status}`);
  return body.data!.result;
}

const numberOf = (text: string | undefined) => {
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
};

/** Burn rate over the run: the bad-event ratio divided by the ratio the objective allows. */
function burnRate(slo: SloDefinition, window: string): string {
  const ratio = `(${slo.errorQuery.replaceAll('{{window}}', window)}) / (${slo.totalQuery.replaceAll('{{window}}', window)})`;
  return `(${ratio}) / ${errorBudget(slo)}`;
}

export async function readServiceView(prometheus: string, from: Date, to: Date): Promise<ServiceView> {
  const seconds = Math.max(1, Math.round((to.getTime() - from.getTime()) / 1000));
  const window = `${seconds}s`;
  const time = String(to.getTime() / 1000);
  const instant = async (expression: string) => query(prometheus, 'query', { query: expression, time });
  const scalar = async (expression: string) => numberOf((await instant(expression))[0]?.value?.[1]);

  const byRoute = async (expression: string) =>
    new Map(
      (await instant(expression)).map((sample) => [sample.metric.route ?? '', numberOf(sample.value?.[1])]),
    );
  const p99s = await byRoute(
    `histogram_quantile(0.99, sum by (le, route) (increase(${HTTP}_bucket{${JOB_MATCHER}}[${window}])))`,
  );
  const rates = await byRoute(
    `sum by (route) (increase(${HTTP}_count{${JOB_MATCHER}}[${window}])) / ${seconds}`,
  );

  const slo = await Promise.all(
    [AVAILABILITY_SLO, LATENCY_SLO].map(async (definition) => {
      const rate = (await scalar(burnRate(definition, window))) ?? 0;
      // The share of the 30-day budget this run used, were the run's rate kept for its duration.
      return {
        name: definition.name,
        burnRate: rate,
        budgetSpentPercent: (100 * rate * seconds) / (SLO_PERIOD_DAYS * 86_400),
      };
    }),
  );

  const range = async (expression: string) =>
    (
      await query(prometheus, 'query_range', {
        query: expression,
        start: String(from.getTime() / 1000),
        end: time,
        step: '10',
      })
    )[0]?.values ?? [];
  const rateSeries = await range(`sum(rate(${HTTP}_count{${JOB_MATCHER}}[30s]))`);
  const p99Series = new Map(
    (await range(`histogram_quantile(0.99, sum by (le) (rate(${HTTP}_bucket{${JOB_MATCHER}}[30s])))`)).map(
      ([at, value]) => [at, numberOf(value)],
    ),
  );

  const rssSeries = await range(`max(process_resident_memory_bytes{${JOB_MATCHER}})`);
  const heapSeries = new Map(
    (await range(`max(nodejs_heap_size_used_bytes{${JOB_MATCHER}})`)).map(([at, value]) => [
      at,
      numberOf(value),
    ]),
  );

  return {
    requestRate: (await scalar(`sum(increase(${HTTP}_count{${JOB_MATCHER}}[${window}])) / ${seconds}`)) ?? 0,
    p99Seconds: await scalar(
      `histogram_quantile(0.99, sum by (le) (increase(${HTTP}_bucket{${JOB_MATCHER}}[${window}])))`,
    ),
    p99ByRoute: [...p99s]
      .filter((entry): entry is [string, number] => entry[1] !== undefined)
      .map(([route, p99]) => ({ route, seconds: p99, rate: rates.get(route) ?? 0 }))
      .sort((a, b) => b.rate - a.rate),
    slo,
    auditWriteRate:
      (await scalar(`sum(increase(carewatch_audit_events_total{${JOB_MATCHER}}[${window}])) / ${seconds}`)) ??
      0,
    auditWriteFailures:
      (await scalar(`sum(increase(carewatch_audit_write_failures_total{${JOB_MATCHER}}[${window}]))`)) ?? 0,
    sealerLagMaxSeconds: await scalar(
      `max(max_over_time(carewatch_audit_sealer_lag_seconds{${JOB_MATCHER}}[${window}]))`,
    ),
    eventLoopLagP99Seconds: await scalar(
      `max(max_over_time(nodejs_eventloop_lag_p99_seconds{${JOB_MATCHER}}[${window}]))`,
    ),
    dbPoolWaitingMax: await scalar(
      `max(max_over_time(carewatch_db_pool_waiting_requests{${JOB_MATCHER}}[${window}]))`,
    ),
    dbAcquireP99Seconds: await scalar(
      `histogram_quantile(0.99, sum by (le) (increase(carewatch_db_pool_acquire_duration_seconds_bucket{${JOB_MATCHER}}[${window}])))`,
    ),
    loginsShed:
      (await scalar(
        `sum(increase(carewatch_auth_logins_total{${JOB_MATCHER}, result="overloaded"}[${window}]))`,
      )) ?? 0,
    residentMemoryMaxBytes: await scalar(
      `max(max_over_time(process_resident_memory_bytes{${JOB_MATCHER}}[${window}]))`,
    ),
    timeline: rateSeries.map(([at, value]) => ({
      at: at * 1000,
      rate: numberOf(value) ?? 0,
      p99Seconds: p99Series.get(at),
    })),
    memory: rssSeries.map(([at, value]) => ({
      at: at * 1000,
      rssBytes: numberOf(value),
      heapUsedBytes: heapSeries.get(at),
    })),
  };
}
