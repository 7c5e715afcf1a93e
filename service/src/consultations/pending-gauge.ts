import type { Sequelize } from 'sequelize';
import { createCountingGauge } from '../observability/cached-gauge';
import type { Metrics } from '../observability/metrics';
import { SPECIALTIES } from '../providers/model';

/** carewatch_consultation_requests_pending{specialty}, counted on the queue index between scrapes. */
export function createPendingRequestsGauge(
  sequelize: Sequelize,
  metrics: Metrics,
  onError: (error: unknown) => void,
) {
  return createCountingGauge(
    sequelize,
    metrics,
    metrics.consultations.requestsPending,
    { name: 'specialty', values: SPECIALTIES },
    `SELECT specialty AS label, count(*)::int AS count FROM consultations
      WHERE status = 'requested' AND expires_at > now() GROUP BY specialty`,
    onError,
  );
}
