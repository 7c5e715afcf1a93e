import Router from '@koa/router';
import type { Metrics } from '../observability/metrics';

export interface ReadinessCheck {
  /** Names the first thing that keeps the service from serving, or undefined when it is ready. */
  (): Promise<string | undefined>;
}

export function healthRoutes(isReady: ReadinessCheck, metrics: Metrics): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const problem = await isReady();
    ctx.status = problem ? 503 : 200;
    ctx.body = problem ? { status: 'unavailable', reason: problem } : { status: 'ready' };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.render();
  });
  return router;
}
