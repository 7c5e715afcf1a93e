import { QueryTypes, type Sequelize } from 'sequelize';
import type { z } from 'zod';
import type {
  ProviderResponseTimesResponse,
  ReportRange,
  SpecialtySummaryResponse,
  VolumeReportResponse,
} from './schemas';
import { MAX_PROVIDER_REPORT_ROWS } from './schemas';

const REPORT_WORK_MEM = '32MB';

type Rows<S extends z.ZodType> = z.output<S> extends { rows: infer R } ? R : never;

/**
 * Operational reports over consultations requested in a range of whole UTC days. Each is one SQL
 * aggregate over the `requested_at` index; percentiles are continuous (interpolated), in seconds.
 */
export function createReportService({ sequelize }: { readonly sequelize: Sequelize }) {
  // A year of consultations is sorted for the percentiles: enough memory keeps the sort off disk
  // (the default 4 MB spilled at 50,000 rows), for this transaction only.
  const run = <T extends object>(sql: string, range: ReportRange) =>
    sequelize.transaction(async (transaction) => {
      await sequelize.query(`SET LOCAL work_mem = '${REPORT_WORK_MEM}'`, { transaction });
      return sequelize.query<T>(sql, {
        bind: [range.from, range.to, range.specialty ?? null],
        type: QueryTypes.SELECT,
        transaction,
      });
    });
  // $1 and $2 are dates: the range is [from 00:00 UTC, the day after `to` 00:00 UTC).
  const inRange = `c.requested_at >= ($1::date::timestamp AT TIME ZONE 'UTC')
    AND c.requested_at < (($2::date + 1)::timestamp AT TIME ZONE 'UTC')
    AND ($3::text IS NULL OR c.specialty = $3)`;
  const seconds = (from: string, to: string) => `extract(epoch FROM ${to} - ${from})::float8`;
  // Both percentiles from one sort: percentile_cont over an array of fractions returns an array.
  const medianAndP95 = (from: string, to: string) =>
    `percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY ${seconds(from, to)})`;

  return {
    /** How many consultations were requested each day, by specialty and current status. */
    async volumeByDay(range: ReportRange): Promise<Rows<typeof VolumeReportResponse>> {
      return run(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, specialty, status, count
           FROM (SELECT (c.requested_at AT TIME ZONE 'UTC')::date AS day, c.specialty, c.status, count(*)::int AS count
                   FROM consultations c WHERE ${inRange}
                  GROUP BY 1, 2, 3) AS daily
          ORDER BY 1, 2, 3`,
        range,
      );
    },

    /**
     * Per specialty: requests, completions, the completion rate among finished consultations (completed,
     * cancelled, no-show or expired; open ones are not judged yet), time to acceptance and provider
     * response (acceptance to start).
     */
    async specialtySummary(range: ReportRange): Promise<Rows<typeof SpecialtySummaryResponse>> {
      return run(
        `SELECT specialty, requested, completed, finished,
                completed::float8 / NULLIF(finished, 0) AS "completionRate",
                acceptance[1] AS "acceptanceP50Seconds", acceptance[2] AS "acceptanceP95Seconds",
                response[1] AS "responseP50Seconds", response[2] AS "responseP95Seconds"
           FROM (SELECT c.specialty,
                        count(*)::int AS requested,
                        count(*) FILTER (WHERE c.status = 'completed')::int AS completed,
                        count(*) FILTER (WHERE c.status IN ('completed', 'cancelled', 'no_show', 'expired'))::int
                          AS finished,
                        ${medianAndP95('c.requested_at', 'c.accepted_at')} AS acceptance,
                        ${medianAndP95('c.accepted_at', 'c.started_at')} AS response
                   FROM consultations c WHERE ${inRange}
                  GROUP BY c.specialty) AS summary
          ORDER BY specialty`,
        range,
      );
    },

    /** Per provider who started consultations: how long from acceptance to start. */
    async providerResponseTimes(range: ReportRange): Promise<Rows<typeof ProviderResponseTimesResponse>> {
      return run(
        `SELECT "providerId", "displayName", specialty, started,
                response[1] AS "responseP50Seconds", response[2] AS "responseP95Seconds"
           FROM (SELECT c.provider_id AS "providerId", p.display_name AS "displayName", c.specialty,
                        count(*)::int AS started,
                        ${medianAndP95('c.accepted_at', 'c.started_at')} AS response
                   FROM consultations c JOIN providers p ON p.user_id = c.provider_id
                  WHERE ${inRange} AND c.started_at IS NOT NULL
                  GROUP BY c.provider_id, p.display_name, c.specialty) AS per_provider
          ORDER BY specialty, "responseP50Seconds", "providerId"
          LIMIT ${MAX_PROVIDER_REPORT_ROWS}`,
        range,
      );
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
