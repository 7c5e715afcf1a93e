import { z } from 'zod';

// The few Prometheus HTTP API calls the tests make (https://prometheus.io/docs/prometheus/latest/querying/api/),
// with the answers checked against the shape we rely on.

const envelope = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

const queryData = z.object({
  resultType: z.enum(['vector', 'matrix', 'scalar', 'string']),
  result: z.unknown(),
});

const targetsData = z.object({
  activeTargets: z.array(z.object({ labels: z.record(z.string(), z.string()), health: z.string() })),
});

const rulesData = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      file: z.string(),
      lastEvaluation: z.string(),
      rules: z.array(z.object({ name: z.string(), health: z.string(), lastError: z.string().optional() })),
    }),
  ),
});

async function call(url: string): Promise<z.infer<typeof envelope>> {
  const response = await fetch(url);
  return envelope.parse(await response.json());
}

async function dataOf<T>(url: string, schema: z.ZodType<T>): Promise<T> {
  const body = await call(url);
  if (body.status !== 'success') throw new Error(`${url}: ${body.errorType}: ${body.error}`);
  return schema.parse(body.data);
}

function queryUrl(prometheusUrl: string, expr: string, time?: number): string {
  const params = new URLSearchParams({ query: expr });
  if (time !== undefined) params.set('time', String(time));
  return `${prometheusUrl}/api/v1/query?${params.toString()}`;
}

export interface Evaluation {
  /** Prometheus' error (bad_data, execution, ...), when the expression failed. */
  readonly error?: string;
  /** Series in the answer; a scalar or string counts as one. */
  readonly series: number;
}

/** An instant query at `time` (Unix seconds); a failed query is an answer here, not an exception. */
export async function evaluate(prometheusUrl: string, expr: string, time: number): Promise<Evaluation> {
  const body = await call(queryUrl(prometheusUrl, expr, time));
  if (body.status !== 'success') return { error: `${body.errorType}: ${body.error}`, series: 0 };
  const { resultType, result } = queryData.parse(body.data);
  const isList = resultType === 'vector' || resultType === 'matrix';
  return { series: isList ? z.array(z.unknown()).parse(result).length : 1 };
}

/** The value of a query expected to answer one sample, now or at `time` (NaN when it answers nothing). */
export async function queryNumber(prometheusUrl: string, expr: string, time?: number): Promise<number> {
  const data = await dataOf(queryUrl(prometheusUrl, expr, time), queryData);
  const samples = z.array(z.object({ value: z.tuple([z.number(), z.string()]) })).parse(data.result);
  return samples.length === 1 && samples[0] ? Number(samples[0].value[1]) : Number.NaN;
}

export async function targetHealth(prometheusUrl: string, job: string): Promise<string[]> {
  const data = await dataOf(`${prometheusUrl}/api/v1/targets?state=active`, targetsData);
  return data.activeTargets.filter((t) => t.labels.job === job).map((t) => t.health);
}

export type RuleGroupStatus = z.infer<typeof rulesData>['groups'][number];

export async function ruleGroups(prometheusUrl: string): Promise<RuleGroupStatus[]> {
  return (await dataOf(`${prometheusUrl}/api/v1/rules`, rulesData)).groups;
}
