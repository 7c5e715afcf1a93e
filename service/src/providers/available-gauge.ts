import type { Sequelize } from 'sequelize';
import { createCountingGauge } from '../observability/cached-gauge';
import type { Metrics } from '../observability/metrics';
import { SPECIALTIES } from './model';

/** carewatch_providers_available{specialty}, counted on (specialty, availability) between scrapes. */
export function createAvailableProvidersGauge(
  sequelize: Sequelize,
  metrics: Metrics,
  onError: (error: unknown) => void,
) {
  return createCountingGauge(
    sequelize,
    metrics,
    metrics.consultations.providersAvailable,
    { name: 'specialty', values: SPECIALTIES },
    `SELECT specialty AS label, count(*)::int AS count FROM providers
      WHERE availability = 'available' GROUP BY specialty`,
    onError,
  );
}
