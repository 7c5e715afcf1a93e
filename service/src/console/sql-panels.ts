import { QueryTypes, type Sequelize } from 'sequelize';
import type { ConsolePanel } from './catalog';
import type { RawSeries } from './series';
import type { TimeRange } from './time-range';

// The clinical panels from the service's own tables, for when no Prometheus is configured: the same
// panel ids, the same meaning and unit, computed from the consultation timestamps. Aggregates only: every
// query groups, and the only labels are a status or a specialty. Bind parameters: $1 from, $2 to (Unix
// seconds), $3 step (seconds); each query answers `t` (a grid instant), `value` and its label columns.

const bucket = (column: string) => `floor(extract(epoch FROM ${column}) / $3) * $3`;
const within = (column: string) => `${column} >= to_timestamp($1) AND ${column} <= to_timestamp($2)`;
const ENDED = `('completed', 'cancelled', 'no_show', 'expired')`;

/** p50/p95 panels say their quantile in the legend (`p95 {{specialty}}`), as the Grafana panel does. */
const quantileOf = (legend: string): number => Number(/^p(\d+)/.exec(legend)?.[1] ?? 50) / 100;

const durationQuantile = (from: string, to: string) => (legend: string) => `
  SELECT ${bucket(to)} AS t, specialty,
    percentile_cont(${quantileOf(legend)}) WITHIN GROUP (ORDER BY extract(epoch FROM ${to} - ${from})) AS value
  FROM consultations WHERE ${within(to)} GROUP BY 1, 2`;

/** Panel id -> the SQL of each of its targets (given the target's legend). */
const SQL_PANELS: Readonly<Record<string, (legend: string) => string>> = {
  'healthcare-operations.consultation-transitions': () => `
    SELECT ${bucket('at')} AS t, to_status, count(*) * 60.0 / $3 AS value FROM (
      SELECT requested_at AS at, 'requested' AS to_status FROM consultations WHERE ${within('requested_at')}
      UNION ALL SELECT accepted_at, 'accepted' FROM consultations WHERE ${within('accepted_at')}
      UNION ALL SELECT started_at, 'in_progress' FROM consultations WHERE ${within('started_at')}
      UNION ALL SELECT ended_at, status FROM consultations WHERE ${within('ended_at')}
    ) AS transitions GROUP BY 1, 2`,
  'healthcare-operations.completion-rate': () => `
    SELECT ${bucket('ended_at')} AS t, avg((status = 'completed')::int) AS value
    FROM consultations WHERE ${within('ended_at')} AND status IN ${ENDED} GROUP BY 1`,
  'healthcare-operations.expired-requests-last-hour': () => `
    SELECT ${bucket('ended_at')} AS t, specialty, count(*) AS value
    FROM consultations WHERE ${within('ended_at')} AND status = 'expired' GROUP BY 1, 2`,
  'healthcare-operations.time-to-acceptance': durationQuantile('requested_at', 'accepted_at'),
  'healthcare-operations.provider-response-time': durationQuantile('accepted_at', 'started_at'),
  // Availability is a state, not an event: the tables know only the present, drawn at the range's end.
  'healthcare-operations.providers-available-by-specialty': () => `
    SELECT floor($2::float8 / $3::float8) * $3::float8 AS t, specialty, count(*) AS value
    FROM providers WHERE availability = 'available' AND $1::float8 <= $2::float8 GROUP BY 2`,
};

export const SQL_PANEL_IDS = Object.keys(SQL_PANELS);

interface Row {
  t: string | number;
  value: string | number | null;
  [label: string]: string | number | null;
}

/** The panel's series from SQL, one list per target; undefined when the panel needs Prometheus. */
export async function sqlPanelSeries(
  sequelize: Sequelize,
  panel: ConsolePanel,
  range: TimeRange,
): Promise<{ legend: string; series: RawSeries[] }[] | undefined> {
  const sqlOf = SQL_PANELS[panel.id];
  if (!sqlOf) return undefined;
  return Promise.all(
    panel.targets.map(async (target) => {
      const rows = await sequelize.query<Row>(sqlOf(target.legend), {
        bind: [range.from, range.to, range.step],
        type: QueryTypes.SELECT,
      });
      const byLabels = new Map<string, { labels: Record<string, string>; points: [number, number][] }>();
      for (const { t, value, ...labels } of rows) {
        const key = JSON.stringify(labels);
        const series = byLabels.get(key) ?? { labels: labels as Record<string, string>, points: [] };
        series.points.push([Number(t), Number(value)]);
        byLabels.set(key, series);
      }
      return { legend: target.legend, series: [...byLabels.values()] };
    }),
  );
}
