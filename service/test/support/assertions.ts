import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { AppError } from '../../src/platform/errors';
import type { Metrics } from '../../src/observability/metrics';

/** Awaits `work` and checks it was refused with this HTTP status (and code, when given). */
export async function refusedWith(work: Promise<unknown>, status: number, code?: string): Promise<AppError> {
  const error = await work.then(
    () => expect.fail(`expected a refusal with ${status}`),
    (thrown: unknown) => thrown,
  );
  expect(error).to.be.instanceOf(AppError);
  expect((error as AppError).status).to.equal(status);
  if (code) expect((error as AppError).code).to.equal(code);
  return error as AppError;
}

/** One row of `table` by id, as the database holds it (snake_case, ciphertext included). */
export async function storedRow(sequelize: Sequelize, table: string, id: string) {
  const [row] = await sequelize.query<Record<string, unknown>>(`SELECT * FROM ${table} WHERE id = $1`, {
    bind: [id],
    type: QueryTypes.SELECT,
  });
  return row!;
}

/**
 * The current value of a series with these labels (0 when it has none yet): a counter or gauge, or with
 * `suffix` one series of a histogram such as `_count`.
 */
export async function metricValue(
  metrics: Metrics,
  name: string,
  labels: Record<string, string>,
  suffix = '',
): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)!.get();
  const match = metric.values.find(
    (value) =>
      ((value as { metricName?: string }).metricName ?? name) === name + suffix &&
      Object.entries(labels).every(([key, expected]) => value.labels[key] === expected),
  );
  return match?.value ?? 0;
}
