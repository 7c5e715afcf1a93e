import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { Context, Middleware } from 'koa';

type HeaderChange = readonly [name: string, value: string | undefined];

/**
 * What an API answer needs (OWASP REST Security Cheat Sheet, "Security Headers"): JSON is never a page,
 * so its policy allows nothing, not even framing; HSTS, nosniff, no referrer, and no cross-origin
 * embedding (CORP). Helmet's other defaults act only on documents a browser renders (COOP,
 * Origin-Agent-Cluster, DNS prefetching, IE's download and XSS-filter switches, Flash's cross-domain
 * policies): on JSON they did nothing but add about 400 bytes that every client parsed on every answer.
 * The console's pages, which are documents, add them back (`documentHeaders`).
 */
export const API_HEADER_POLICY: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  xFrameOptions: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

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

/** Sets on a response the headers helmet sets with these options (recorded once, here). */
export function helmetHeaders(options?: Readonly<HelmetOptions>): (ctx: Context) => void {
  const changes = recordHelmet(options);
  // On the response itself: Koa's ctx.set builds arrays per header to normalise values these already are.
  return (ctx) => {
    for (const [name, value] of changes) {
      if (value === undefined) ctx.res.removeHeader(name);
      else ctx.res.setHeader(name, value);
    }
  };
}

/**
 * A document's headers: helmet's defaults (COOP, Origin-Agent-Cluster and the rest of what acts on a
 * rendered page) under the page's own content security policy, framed by no one.
 */
export const documentHeaders = (directives: Readonly<Record<string, readonly string[]>>) =>
  helmetHeaders({
    contentSecurityPolicy: { useDefaults: false, directives: { ...directives, frameAncestors: ["'none'"] } },
    xFrameOptions: { action: 'deny' },
  });

/**
 * Helmet's headers on every response, applied from a recording, without its per-request chain of a dozen
 * connect-style middlewares behind a promise, which cost the PHI read about 1 % of its CPU (koa-helmet).
 */
export function securityHeaders(options?: Readonly<HelmetOptions>): Middleware {
  const apply = helmetHeaders(options);
  return (ctx, next) => {
    apply(ctx);
    return next();
  };
}
