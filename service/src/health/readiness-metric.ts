import type { Metrics } from '../observability/metrics';
import type { ReadinessCheck } from './routes';

/**
 * Exports readiness as `carewatch_ready`, asked anew at each scrape. The load balancer (HAProxy, a
 * Kubernetes Service) is not scraped, but it routes to exactly the instances whose /readyz answers 200,
 * so sum(carewatch_ready) is how many instances stand behind it.
 */
export function exportReadiness(isReady: ReadinessCheck, metrics: Metrics): void {
  metrics.samplers.add(async () => {
    const { unavailable } = await isReady();
    metrics.health.ready.set(unavailable === undefined ? 1 : 0);
  });
}
