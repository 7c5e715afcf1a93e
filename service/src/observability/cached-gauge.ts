import type { Gauge } from 'prom-client';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Metrics } from './metrics';

export interface CachedGauge {
  /** Reads the current values from their source; call it after a change and on an interval. */
  refresh(): Promise<void>;
  /** Refreshes every `intervalMs` until the returned function is called. */
  start(intervalMs: number): () => void;
}

/**
 * A labelled gauge whose values come from an asynchronous source (the database). Samplers run
 * synchronously just before a scrape, so the sampler only copies the last values read; `refresh` reads
 * new ones. Labels missing from a reading are set to 0, so a specialty that empties shows 0, not its
 * last count.
 */
export function createCachedGauge<L extends string>(
  metrics: Metrics,
  gauge: Gauge<L>,
  label: L,
  labelValues: readonly string[],
  read: () => Promise<ReadonlyMap<string, number>>,
  onError: (error: unknown) => void,
): CachedGauge {
  let values: ReadonlyMap<string, number> = new Map();
  metrics.samplers.add(() => {
    for (const value of labelValues)
      gauge.set({ [label]: value } as Partial<Record<L, string>>, values.get(value) ?? 0);
  });
  const refresh = async () => {
    values = await read();
  };
  return {
    refresh,
    start(intervalMs) {
      const timer = setInterval(() => refresh().catch(onError), intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

/**
 * A gauge by one label whose values are counted by `sql` (rows of `label` and `count`), sampled from
 * what the last refresh read.
 */
export function createCountingGauge<L extends string>(
  sequelize: Sequelize,
  metrics: Metrics,
  gauge: Gauge<L>,
  label: { readonly name: L; readonly values: readonly string[] },
  sql: string,
  onError: (error: unknown) => void,
): CachedGauge {
  return createCachedGauge(
    metrics,
    gauge,
    label.name,
    label.values,
    async () => {
      const rows = await sequelize.query<{ label: string; count: number }>(sql, { type: QueryTypes.SELECT });
      return new Map(rows.map((row) => [row.label, row.count]));
    },
    onError,
  );
}
