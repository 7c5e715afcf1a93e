import { QueryTypes, type Sequelize } from 'sequelize';
import type { ConsolePanel } from './catalog';
import type { RawSeries } from './series';
import type { TimeRange } from './time-range';

// The clinical panels from the service's own tables, for when no Prometheus is configured: the same
// panel ids, the same meaning and unit, computed from the consultation timestamps. Aggregates only: every
// query groups, and the only labels are a status or a specialty. One statement per panel (its targets
// share it: a month of rows is read once). Bind parameters: $1 from, $2 to (Unix seconds), $3 step
// (seconds); each statement answers `t` (a grid instant), its label columns and its value columns.

// date_part, not extract: extract answers numeric, several times slower to compute, sort and group over
// a month of rows than date_part's double precision (npm run bench:console).
const bucket = (column: string) => `floor(date_part('epoch', ${column}) / $3) * $3`;
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
    FROM consultations WHERE ${within(to)} GROUP BY 1, 2`,
});

/** Panel id -> its statement. */
const SQL_PANELS: Readonly<Record<string, SqlPanel>> = {
  'healthcare-operations.consultation-transitions': single(`
    SELECT ${bucket('at')} AS t, to_status, count(*) * 60.0 / $3 AS value FROM (
      SELECT requested_at AS at, 'requested' AS to_status FROM consultations WHERE ${within('requested_at')}
      UNION ALL SELECT accepted_at, 'accepted' FROM consultations WHERE ${within('accepted_at')}
      UNION ALL SELECT started_at, 'in_progress' FROM consultations WHERE ${within('started_at')}
      UNION ALL SELECT ended_at, status FROM consultations WHERE ${within('ended_at')}
    ) AS transitions GROUP BY 1, 2`),
  'healthcare-operations.completion-rate': single(`
    SELECT ${bucket('ended_at')} AS t, avg((status = 'completed')::int) AS value
    FROM consultations WHERE ${within('ended_at')} AND status IN ${ENDED} GROUP BY 1`),
  'healthcare-operations.expired-requests-last-hour': single(`
    SELECT ${bucket('ended_at')} AS t, specialty, count(*) AS value
    FROM consultations WHERE ${within('ended_at')} AND status = 'expired' GROUP BY 1, 2`),
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
  const rows = await sequelize.query<Row>(sqlPanel.sql(legends), {
    bind: [range.from, range.to, range.step],
    type: QueryTypes.SELECT,
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
