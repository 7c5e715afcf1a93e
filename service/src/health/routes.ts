import Router from '@koa/router';
import { ROUTER_OPTIONS } from '../routing/route';
import type { Metrics } from '../observability/metrics';

export interface Readiness {
  /** The first thing this instance cannot serve without, or undefined when it can serve. */
  readonly unavailable?: string;
  /** What it serves without or short of (shared by every instance, or a full pool), so never a 503. */
  readonly degraded: readonly string[];
}

export interface ReadinessCheck {
  (): Promise<Readiness>;
}

export function healthRoutes(isReady: ReadinessCheck, metrics: Metrics): Router {
  const router = new Router(ROUTER_OPTIONS);
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const { unavailable, degraded } = await isReady();
    // The load balancer is not scraped; what it last heard from each instance is, at no cost of its own.
    metrics.health.ready.set(unavailable ? 0 : 1);
    ctx.status = unavailable ? 503 : 200;
    if (unavailable) ctx.body = { status: 'unavailable', reason: unavailable };
    else ctx.body = degraded.length > 0 ? { status: 'degraded', degraded } : { status: 'ready' };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.render();
  });
  return router;
}
