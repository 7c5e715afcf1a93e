import { QueryTypes, type Sequelize } from 'sequelize';
import { createCachedGauge } from '../observability/cached-gauge';
import type { Metrics } from '../observability/metrics';
import { SPECIALTIES } from '../providers/model';

/** carewatch_consultation_requests_pending{specialty}, read from the queue index between scrapes. */
export function createPendingRequestsGauge(
  sequelize: Sequelize,
  metrics: Metrics,
  onError: (error: unknown) => void,
) {
  return createCachedGauge(
    metrics,
    metrics.consultations.requestsPending,
    'specialty',
    SPECIALTIES,
    async () => {
      const rows = await sequelize.query<{ specialty: string; count: number }>(
        `SELECT specialty, count(*)::int AS count FROM consultations
          WHERE status = 'requested' AND expires_at > now() GROUP BY specialty`,
        { type: QueryTypes.SELECT },
      );
      return new Map(rows.map((row) => [row.specialty, row.count]));
    },
    onError,
  );
}
