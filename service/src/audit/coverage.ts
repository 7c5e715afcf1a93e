import type Router from '@koa/router';
import { declaredRoutes, type DeclaredRoute } from '../platform/route-metadata';

export type PhiRoute = DeclaredRoute & { readonly audit: NonNullable<DeclaredRoute['audit']> };

/**
 * The routes that declare an audit, i.e. the PHI routes: a coverage test calls each one and requires
 * that it wrote an audit event, so a route that forgets `audited(...)` in its chain is caught.
 */
export function phiRoutes(router: Router): PhiRoute[] {
  return declaredRoutes(router).filter((route): route is PhiRoute => route.audit !== undefined);
}
