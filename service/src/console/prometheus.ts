import { z } from 'zod';
import { serviceUnavailable } from '../platform/errors';
import type { RawSeries } from './series';
import type { TimeRange } from './time-range';

// The two Prometheus HTTP API calls the console makes on an operator's behalf: query_range for a
// declared panel query, and the alerts it is evaluating. Prometheus' answers are checked, and its
// failures become 503s that name Prometheus, never its error text (which can quote the query).

const TIMEOUT_MS = 10_000;

const envelope = z.object({ status: z.enum(['success', 'error']), data: z.unknown().optional() });
const matrix = z.object({
  resultType: z.literal('matrix'),
  result: z.array(
    z.object({
      metric: z.record(z.string(), z.string()),
      values: z.array(z.tuple([z.number(), z.string()])),
    }),
  ),
});

const prometheusAlert = z.object({
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).default({}),
  state: z.string(),
  activeAt: z.string().optional(),
});
export type PrometheusAlert = z.infer<typeof prometheusAlert>;

async function dataOf<T>(url: URL, schema: z.ZodType<T>, what: string): Promise<T> {
  let body: unknown;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    body = await response.json();
  } catch (error) {
    throw serviceUnavailable(`Prometheus did not answer the ${what}.`, 'prometheus_unavailable', error);
  }
  const parsed = envelope.safeParse(body);
  const data =
    parsed.success && parsed.data.status === 'success' ? schema.safeParse(parsed.data.data) : undefined;
  if (!data?.success) throw serviceUnavailable(`Prometheus refused the ${what}.`, 'prometheus_query_failed');
  return data.data;
}

export function prometheusClient(baseUrl: string) {
  const endpoint = (path: string) => new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  return {
    async queryRange(expr: string, range: TimeRange): Promise<RawSeries[]> {
      const url = endpoint('api/v1/query_range');
      url.search = new URLSearchParams({
        query: expr,
        start: String(range.from),
        end: String(range.to),
        step: String(range.step),
      }).toString();
      const data = await dataOf(url, matrix, 'panel query');
      return data.result.map((series) => ({
        labels: series.metric,
        points: series.values.map(([t, value]) => [t, Number(value)] as const),
      }));
    },

    async alerts(): Promise<PrometheusAlert[]> {
      const data = await dataOf(
        endpoint('api/v1/alerts'),
        z.object({ alerts: z.array(prometheusAlert) }),
        'alerts',
      );
      return data.alerts;
    },
  };
}

export type PrometheusClient = ReturnType<typeof prometheusClient>;
