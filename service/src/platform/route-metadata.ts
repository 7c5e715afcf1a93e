import type { Middleware } from 'koa';
import type Router from '@koa/router';
import type { RouteDeclaration } from './openapi';

/**
 * What a route's chain declares about itself, read by the OpenAPI document and by the tests that
 * enumerate the router: every route must declare its guard (or say it is public), and every PHI route
 * must declare its audit.
 */
export interface RouteMetadata {
  readonly guard?: string;
  readonly audit?: { readonly action: string; readonly resourceType: string };
  /** How the route is documented (routing/route.ts puts it on every route it defines). */
  readonly declaration?: RouteDeclaration;
}

const METADATA = Symbol('carewatch.routeMetadata');

type Tagged = Middleware & { [METADATA]?: RouteMetadata };

export function tagged<M extends Middleware>(middleware: M, metadata: RouteMetadata): M {
  (middleware as Tagged)[METADATA] = { ...(middleware as Tagged)[METADATA], ...metadata };
  return middleware;
}

export interface DeclaredRoute extends RouteMetadata {
  readonly methods: readonly string[];
  readonly path: string;
}

/** Every route of a router with what its chain declares. */
export function declaredRoutes(router: Router): DeclaredRoute[] {
  return router.stack
    .filter((layer) => layer.methods.length > 0)
    .map((layer) => {
      const merged = (layer.stack as Tagged[]).reduce<RouteMetadata>(
        (acc, mw) => ({ ...acc, ...mw[METADATA] }),
        {},
      );
      return {
        methods: layer.methods.filter((method) => method !== 'HEAD'),
        path: String(layer.path),
        ...merged,
      };
    });
}

/** Marks a route that anyone may call, so that "no guard" is always a decision, never an omission. */
export function publicRoute(): Middleware {
  return tagged(
    async (_ctx, next) => {
      await next();
    },
    { guard: 'public' },
  );
}
