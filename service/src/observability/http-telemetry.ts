import type { Context, Middleware } from 'koa';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

/** The route template @koa/router matched, if any. */
export function matchedRoute(ctx: Context): string | undefined {
  const matched = (ctx as Context & { _matchedRoute?: string | RegExp })._matchedRoute;
  return typeof matched === 'string' ? matched : undefined;
}

/** The route template for labels and logs, never the raw path: raw paths carry ids. */
export function routeTemplate(ctx: Context): string {
  return matchedRoute(ctx) ?? 'unmatched';
}

/** One access-log line and one histogram observation per request, after the response is decided. */
export function httpTelemetry(metrics: Metrics, logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeTemplate(ctx);
      metrics.http.requestDuration.observe(
        { method: ctx.method, route, status_code: String(ctx.status) },
        seconds,
      );
      logger.access({
        requestId: ctx.state.requestId,
        method: ctx.method,
        route,
        status: ctx.status,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        userId: (ctx.state.auth as { userId?: string } | undefined)?.userId,
      });
    }
  };
}
