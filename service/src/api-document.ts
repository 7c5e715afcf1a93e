import type Router from '@koa/router';
import { buildOpenApiDocument, type RouteDeclaration } from './platform/openapi';
import { declaredRoutes } from './platform/route-metadata';
import { defineRoute, mountRoutes } from './routing/route';

/** Where the document is served: at the root, beside /.well-known, outside the versioned API. */
export const OPENAPI_PATH = '/openapi.json';

export const API_INFO = {
  title: 'Carewatch API',
  version: '1.0.0',
  description: 'Telehealth backend: patients, providers, consultations, prescriptions, HIPAA audit.',
};

/** What the routes of these routers declare about themselves (routing/route.ts), in mounting order. */
export function routeDeclarationsOf(routers: readonly Router[]): RouteDeclaration[] {
  return routers.flatMap((router) =>
    declaredRoutes(router).flatMap((route) => (route.declaration ? [route.declaration] : [])),
  );
}

/**
 * Serves the OpenAPI document of `routers` and of itself, built once from the routes' own declarations
 * (they cannot change while running): a route is documented by being defined.
 */
export function openApiRoutes(routers: readonly Router[]): Router {
  let document: Record<string, unknown> | undefined;
  const router = mountRoutes([
    defineRoute({
      method: 'get',
      path: OPENAPI_PATH,
      summary: 'This document',
      tags: ['meta'],
      guards: 'public',
      server: '/',
      responses: { 200: { description: 'OpenAPI 3.1' } },
      handler: (ctx) => {
        document ??= buildOpenApiDocument(API_INFO, routeDeclarationsOf([...routers, router]));
        ctx.set('Cache-Control', 'public, max-age=300');
        ctx.body = document;
      },
    }),
  ]);
  return router;
}
