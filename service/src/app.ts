import { trace } from '@opentelemetry/api';
import Router from '@koa/router';
import Koa from 'koa';
import type { RecordAuditEvent } from './audit/recorder';
import { installAuditRecorder } from './audit/context';
import type { Config } from './config';
import { healthRoutes, type ReadinessCheck } from './health/routes';
import { httpTelemetry, routeTemplate } from './observability/http-telemetry';
import type { Logger } from './observability/logger';
import type { Metrics } from './observability/metrics';
import { requestId } from './observability/request-id';
import { serverSpan } from './observability/server-span';
import type { BatchedRateLimit } from './platform/batched-rate-limit';
import { jsonBody } from './platform/content-type';
import { corsPolicy } from './platform/cors';
import { createRequestBudget, requestRateLimit } from './platform/request-rate-limit';
import { problemDetails } from './platform/problem';
import { API_HEADER_POLICY, securityHeaders } from './platform/security-headers';
import './request-state';
import { routesBySegment } from './routing/by-segment';
import { ROUTER_OPTIONS } from './routing/route';

export interface AppDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly isReady: ReadinessCheck;
  /** Writes audit events for `audited(...)` routes; without it those routes refuse to answer (503). */
  readonly recordAuditEvent?: RecordAuditEvent;
  /** Feature routers, mounted under /v1. */
  readonly apiRouters?: readonly Router[];
  /** Routers mounted at the root, outside /v1 (e.g. /.well-known/jwks.json). */
  readonly rootRouters?: readonly Router[];
  /** Decides, per request, whether replica-eligible reads may use a replica (see platform/read-routing). */
  readonly readRouting?: Koa.Middleware;
  /**
   * The request budget of client addresses, shared by every instance through Redis (its owner closes it);
   * without it, one in memory for this app alone.
   */
  readonly requestBudget?: BatchedRateLimit;
}

const API_PREFIX = '/v1/';

/**
 * The routers of paths outside the API (health, the key set, pages), as one middleware that requests
 * under /v1/, nearly all of them, pass straight through: one layer for all of them, not one each.
 */
function outsideApi(routers: readonly Router[]) {
  const outside = new Router(ROUTER_OPTIONS);
  for (const router of routers) {
    const inside = router.stack.find((layer) => String(layer.path).startsWith(API_PREFIX));
    if (inside) throw new Error(`a router mounted outside the API serves ${inside.path}`);
    outside.use(router.routes());
  }
  const routes = outside.routes();
  const skipped: typeof routes = (ctx, next): Promise<unknown> =>
    ctx.path.startsWith(API_PREFIX) ? next() : routes(ctx, next);
  return skipped;
}

/** Builds the Koa app; the middleware order lives here and only here. No I/O, no listen(). */
export function createApp(deps: AppDependencies): Koa {
  const app = new Koa({ proxy: deps.config.http.trustProxy });
  app.silent = true;
  if (deps.recordAuditEvent) installAuditRecorder(app, deps.recordAuditEvent);

  app.use(serverSpan());
  app.use(requestId());
  app.use(httpTelemetry(deps.metrics, deps.logger));
  app.use(
    problemDetails({
      onUnexpected: (error, ctx) => {
        deps.metrics.errors.unhandled.inc({ kind: 'request' });
        deps.logger.error('unexpected error', {
          requestId: ctx.state.requestId,
          route: routeTemplate(ctx),
          error,
        });
        // On the server span (the privacy filter keeps only the exception's type); its status is set
        // to error from the 500 when the response is sent.
        trace.getActiveSpan()?.recordException(error instanceof Error ? error : String(error));
      },
    }),
  );
  app.use(corsPolicy(deps.config.http.cors));
  app.use(requestRateLimit(deps.requestBudget ?? createRequestBudget(deps.config.http.rateLimit)));
  app.use(securityHeaders(API_HEADER_POLICY));
  app.use(jsonBody(deps.config.http.bodyLimit));

  app.use(outsideApi([healthRoutes(deps.isReady, deps.metrics), ...(deps.rootRouters ?? [])]));

  if (deps.readRouting) app.use(deps.readRouting);
  // API answers may carry PHI: no browser, proxy or CDN may keep a copy (ASVS 8.2.1); errors included.
  app.use((ctx, next) => {
    if (ctx.path.startsWith(API_PREFIX)) ctx.set('Cache-Control', 'no-store');
    return next();
  });
  app.use(routesBySegment('/v1', deps.apiRouters ?? []));
  return app;
}
