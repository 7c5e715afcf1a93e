import { QueryTypes, type Sequelize } from 'sequelize';
import type { ConsolePanel } from './catalog';
import type { RawSeries } from './series';
import type { TimeRange } from './time-range';

// The clinical panels from the service's own tables, for when no Prometheus is configured: the same
// panel ids, the same meaning and unit, computed from the consultation timestamps. Aggregates only: every
// query groups, and the only labels are a status or a specialty. One statement per panel (its targets
// share it: a month of rows is read once). Bind parameters: $1 from, $2 to (Unix seconds), $3 step
// (seconds); each statement answers `t` (a grid instant), its label columns and its value columns.

// Grouped by date_bin's timestamp (a 64-bit integer to hash and compare), converted to Unix seconds once
// per group: cheaper over a month of rows than grouping by a computed double (npm run bench:console).
// date_part, not extract, for those seconds: extract answers numeric.
const bin = (column: string) => `date_bin(make_interval(secs => $3), ${column}, 'epoch')`;
const bucket = (column: string) => `date_part('epoch', ${bin(column)})`;
const within = (column: string) => `${column} >= to_timestamp($1) AND ${column} <= to_timestamp($2)`;
const ENDED = `('completed', 'cancelled', 'no_show', 'expired')`;

interface SqlPanel {
  /** The panel's statement, given its targets' legends. */
  sql(legends: readonly string[]): string;
  /** The column holding a target's values; `value` when the panel answers one. */
  column?(legend: string): string;
}

const single = (sql: string): SqlPanel => ({ sql: () => sql });

/** p50/p95 panels say their quantile in the legend (`p95 {{specialty}}`), as the Grafana panel does. */
const quantileColumn = (legend: string): string => `p${/^p(\d+)/.exec(legend)?.[1] ?? 50}`;

/** One sort per group serves every quantile the panel draws. */
const durationQuantiles = (from: string, to: string): SqlPanel => ({
  column: quantileColumn,
  sql: (legends) => `
    SELECT ${bucket(to)} AS t, specialty, ${[...new Set(legends.map(quantileColumn))]
      .map(
        (column) =>
          `percentile_cont(${Number(column.slice(1)) / 100}) WITHIN GROUP (ORDER BY date_part('epoch', ${to} - ${from})) AS ${column}`,
      )
      .join(', ')}
    FROM consultations WHERE ${within(to)} GROUP BY ${bin(to)}, specialty`,
});

/** One transition's rate, grouped within its own branch: the month's events are never regrouped as one. */
const transitions = (column: string, toStatus: string) => `
  SELECT ${bucket(column)} AS t, ${toStatus} AS to_status, count(*) * 60.0 / $3 AS value
  FROM consultations WHERE ${within(column)} GROUP BY ${bin(column)}, 2`;

/** Panel id -> its statement. */
const SQL_PANELS: Readonly<Record<string, SqlPanel>> = {
  'healthcare-operations.consultation-transitions': single(
    [
      transitions('requested_at', `'requested'`),
      transitions('accepted_at', `'accepted'`),
      transitions('started_at', `'in_progress'`),
      transitions('ended_at', 'status'),
    ].join(' UNION ALL '),
  ),
  'healthcare-operations.completion-rate': single(`
    SELECT ${bucket('ended_at')} AS t, avg((status = 'completed')::int) AS value
    FROM consultations WHERE ${within('ended_at')} AND status IN ${ENDED} GROUP BY ${bin('ended_at')}`),
  'healthcare-operations.expired-requests-last-hour': single(`
    SELECT ${bucket('ended_at')} AS t, specialty, count(*) AS value
    FROM consultations WHERE ${within('ended_at')} AND status = 'expired' GROUP BY ${bin('ended_at')}, specialty`),
  'healthcare-operations.time-to-acceptance': durationQuantiles('requested_at', 'accepted_at'),
  'healthcare-operations.provider-response-time': durationQuantiles('accepted_at', 'started_at'),
  // Availability is a state, not an event: the tables know only the present, drawn at the range's end.
  'healthcare-operations.providers-available-by-specialty': single(`
    SELECT floor($2::float8 / $3::float8) * $3::float8 AS t, specialty, count(*) AS value
    FROM providers WHERE availability = 'available' AND $1::float8 <= $2::float8 GROUP BY 2`),
};

export const SQL_PANEL_IDS = Object.keys(SQL_PANELS);

type Row = Record<string, string | number | null>;

/** The panel's series from SQL, one list per target; undefined when the panel needs Prometheus. */
export async function sqlPanelSeries(
  sequelize: Sequelize,
  panel: ConsolePanel,
  range: TimeRange,
): Promise<{ legend: string; series: RawSeries[] }[] | undefined> {
  const sqlPanel = SQL_PANELS[panel.id];
  if (!sqlPanel) return undefined;
  const legends = panel.targets.map((target) => target.legend);
  const columnOf = (legend: string) => sqlPanel.column?.(legend) ?? 'value';
  const valueColumns = new Set(['t', ...legends.map(columnOf)]);
  // A page asks for its six panels at once: on a small host (2 cores) each statement's parallel workers
  // only contend with the other statements for the same cores, so each runs in its own backend.
  const rows = await sequelize.transaction(async (transaction) => {
    await sequelize.query('SET LOCAL max_parallel_workers_per_gather = 0', { transaction });
    return sequelize.query<Row>(sqlPanel.sql(legends), {
      bind: [range.from, range.to, range.step],
      transaction,
      type: QueryTypes.SELECT,
    });
  });
  return panel.targets.map((target) => {
    const column = columnOf(target.legend);
    const byLabels = new Map<string, { labels: Record<string, string>; points: [number, number][] }>();
    for (const row of rows) {
      const labels = Object.fromEntries(
        Object.entries(row).filter(([name]) => !valueColumns.has(name)),
      ) as Record<string, string>;
      const key = JSON.stringify(labels);
      const series = byLabels.get(key) ?? { labels, points: [] };
      series.points.push([Number(row.t), Number(row[column])]);
      byLabels.set(key, series);
    }
    return { legend: target.legend, series: [...byLabels.values()] };
  });
}
