import type { Runtime } from '../../src/runtime';
import { declaredRoutes } from '../../src/platform/route-metadata';

// The PHI routes: every route whose chain declares an audit, as `METHOD /v1/path/:param`, with the /v1
// prefix its router is mounted under.

export const routeKey = (method: string, path: string) => `${method} ${path}`;

export function auditedRoutes(runtime: Pick<Runtime, 'routers'>): string[] {
  return runtime.routers
    .flatMap((router) => declaredRoutes(router))
    .filter((route) => route.audit)
    .flatMap((route) =>
      route.methods.map((method) =>
        routeKey(method, route.path.startsWith('/v1') ? route.path : `/v1${route.path}`),
      ),
    );
}
