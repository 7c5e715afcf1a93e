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
  return cors({
    // An empty string tells @koa/cors to send no Access-Control-Allow-Origin at all.
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return allowed.has(origin) ? origin : '';
    },
    credentials: false,
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'X-Request-Id'],
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: policy.maxAgeSeconds,
    keepHeadersOnError: true,
  });
}
