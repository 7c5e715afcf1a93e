import Router from '@koa/router';
import { accountRouteDeclarations } from './accounts/openapi';
import { auditRouteDeclarations } from './audit/openapi';
import { authRouteDeclarations } from './auth/openapi';
import { clinicalRoutes } from './clinical-openapi';
import { homeRouteDeclaration } from './home/routes';
import { buildOpenApiDocument, type RouteDeclaration } from './platform/openapi';
import { publicRoute } from './platform/route-metadata';

/** Where the document is served: at the root, beside /.well-known, outside the versioned API. */
export const OPENAPI_PATH = '/openapi.json';

const openApiRoute: RouteDeclaration = {
  method: 'get',
  path: OPENAPI_PATH,
  summary: 'This document',
  tags: ['meta'],
  security: 'public',
  server: '/',
  responses: { 200: { description: 'OpenAPI 3.1' } },
};

/**
 * Every route the service declares, one list per feature: a new router adds its declarations here (the
 * OpenAPI test fails for a mounted route missing from the document).
 */
export const API_ROUTE_DECLARATIONS: readonly RouteDeclaration[] = [
  ...authRouteDeclarations,
  ...accountRouteDeclarations,
  ...auditRouteDeclarations,
  ...clinicalRoutes,
  openApiRoute,
  homeRouteDeclaration,
];

export const API_INFO = {
  title: 'Carewatch API',
  version: '1.0.0',
  description: 'Telehealth backend: patients, providers, consultations, prescriptions, HIPAA audit.',
};

/** Serves the OpenAPI document, built once from the declarations (they cannot change while running). */
export function openApiRoutes(routes: readonly RouteDeclaration[] = API_ROUTE_DECLARATIONS): Router {
  const document = buildOpenApiDocument(API_INFO, routes);
  const router = new Router();
  router.get(OPENAPI_PATH, publicRoute(), (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = document;
  });
  return router;
}
