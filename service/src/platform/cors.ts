import cors from '@koa/cors';
import type { Middleware } from 'koa';

export interface CorsPolicy {
  /** Exact origins (`https://app.carewatch.example`) allowed to call from a browser; empty: none. */
  readonly origins: readonly string[];
  /** How long a browser may cache a preflight answer. */
  readonly maxAgeSeconds: number;
}

/** What a browser script may read of an answer besides the CORS-safelisted headers. */
const EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'X-Request-Id',
];

/**
 * Browsers on the allow-listed origins may call the API with a bearer token; no cookies or other
 * credentials are ever allowed, and any other origin gets no CORS headers (the browser then blocks it).
 */
export function corsPolicy(policy: CorsPolicy): Middleware {
  const allowed = new Set(policy.origins);
  const allowListed = cors({
    // Reached only for an allow-listed origin (below), which is echoed back.
    origin: (ctx) => ctx.get('Origin'),
    credentials: false,
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'X-Request-Id'],
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: policy.maxAgeSeconds,
    keepHeadersOnError: true,
  });
  // For any other origin, or none (every non-browser client), @koa/cors only adds `Vary: Origin` and
  // goes on: done here without its async layer, which every API request would otherwise pay.
  return (ctx, next) => {
    if (allowed.has(ctx.get('Origin'))) return allowListed(ctx, next) as Promise<void>;
    ctx.vary('Origin');
    return next();
  };
}
