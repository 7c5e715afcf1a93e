import Router, { type RouterContext } from '@koa/router';
import type { Next } from 'koa';
import { ROUTER_OPTIONS } from './route';

type Dispatch = (ctx: RouterContext, next: Next) => Promise<unknown>;

/** The segment of `path` that starts after the slash at `slash` (`/patients/:id`, 0 → `patients`). */
function segmentAfter(path: string, slash: number): string {
  const end = path.indexOf('/', slash + 1);
  return path.slice(slash + 1, end === -1 ? undefined : end);
}

/**
 * Feature routers mounted under `prefix`, each request matched only against the routers that serve its
 * first segment after the prefix (`/v1/patients/me` → the routers with routes under `/patients`).
 * @koa/router tests every route of a router in turn, and logs each test through `debug`: on one router
 * of the whole API that was about 50 tests and 9 KB of garbage per request, the largest allocation of
 * the PHI read (loadtests/reports/hot-paths.md). Each segment's router answers 405 and 501 for its own
 * routes as one router for all did; a path under no segment gets a router without routes, so an unknown
 * method there is still a 501 and anything else a 404.
 */
export function routesBySegment(prefix: string, routers: readonly Router[]): Dispatch {
  const mounted = (): Router => new Router({ ...ROUTER_OPTIONS, prefix });
  const bySegment = new Map<string, Router>();
  for (const router of routers) {
    const segments = new Set(router.stack.map((layer) => segmentAfter(String(layer.path), 0)));
    for (const segment of segments) {
      if (segment === '' || segment.startsWith(':'))
        throw new Error(`a route's first segment must be a literal, not "${segment}"`);
      const shared = bySegment.get(segment) ?? mounted();
      shared.use(router.routes());
      bySegment.set(segment, shared);
    }
  }
  const dispatchOf = (router: Router): Dispatch => {
    const routes: Dispatch = router.routes();
    const allowedMethods: Dispatch = router.allowedMethods();
    return (ctx, next) => routes(ctx, () => allowedMethods(ctx, next));
  };
  const dispatch = new Map([...bySegment].map(([segment, router]) => [segment, dispatchOf(router)]));
  const elsewhere = dispatchOf(mounted());
  const below = `${prefix}/`;
  return (ctx, next) => {
    const path = ctx.path;
    const inside = path.startsWith(below) ? dispatch.get(segmentAfter(path, prefix.length)) : undefined;
    return (inside ?? elsewhere)(ctx, next);
  };
}
