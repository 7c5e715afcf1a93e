import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { Middleware } from 'koa';

type HeaderChange = readonly [name: string, value: string | undefined];

/**
 * What helmet does to a response with these options, recorded once: with no directive given as a
 * function (none here), every header it sets has the same value on every response.
 */
function recordHelmet(options?: Readonly<HelmetOptions>): readonly HeaderChange[] {
  const changes: HeaderChange[] = [];
  const recorder = {
    setHeader: (name: string, value: string) => changes.push([name, value]),
    removeHeader: (name: string) => changes.push([name, undefined]),
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw new Error('helmet failed with these options', { cause: error });
    finished = true;
  });
  // Helmet's middleware is synchronous; a version that is not would leave responses without headers.
  if (!finished) throw new Error('helmet did not finish synchronously: its headers cannot be recorded');
  return changes;
}

/**
 * Helmet's headers on every response (HSTS, CSP, nosniff, frame and referrer policies...). helmet decides
 * them; they are applied here from a recording, without its per-request chain of a dozen connect-style
 * middlewares behind a promise, which cost the PHI read about 1 % of its CPU (koa-helmet).
 */
export function securityHeaders(options?: Readonly<HelmetOptions>): Middleware {
  const changes = recordHelmet(options);
  return (ctx, next) => {
    for (const [name, value] of changes) {
      if (value === undefined) ctx.remove(name);
      else ctx.set(name, value);
    }
    return next();
  };
}
