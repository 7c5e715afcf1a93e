import { z } from 'zod';
import { NoBody } from './validate';

/**
 * OpenAPI 3.1 from the same zod schemas the routes validate with, so the document cannot drift from
 * the code. OpenAPI 3.1 schemas are JSON Schema 2020-12, which zod 4 emits natively (`z.toJSONSchema`).
 */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseDeclaration {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** The response carries the row's version as an ETag header. */
  readonly etag?: boolean;
}

export interface RouteDeclaration {
  readonly method: HttpMethod;
  /** A Koa path (`/patients/:id`); parameters become `{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  /** `bearer`: an access token is required; `public`: anyone may call. */
  readonly security: 'bearer' | 'public';
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** The request must send If-Match with the ETag it read (optimistic concurrency). */
  readonly ifMatch?: boolean;
  readonly responses: Readonly<Record<number, ResponseDeclaration>>;
  /** Statuses answered with problem+json besides the ones every route may answer. */
  readonly problems?: readonly number[];
  /** For a route outside the API prefix (e.g. `/.well-known/jwks.json`): the server it is under (`/`). */
  readonly server?: string;
}

export interface ApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

type JsonObject = Record<string, unknown>;

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
const COMMON_PROBLEMS = [400, 422, 500];
const PROBLEM_TITLES: Record<number, string> = {
  400: 'Malformed request',
  401: 'Not authenticated',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflicts with the current state',
  412: 'The record changed since it was read',
  413: 'Body too large',
  415: 'Unsupported media type',
  422: 'Invalid fields',
  428: 'If-Match is required',
  429: 'Rate limited',
  500: 'Unexpected error',
  503: 'A dependency is down',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  // The dialect is the document's (3.1 = JSON Schema 2020-12), so the per-schema `$schema` goes.
  const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  delete generated.$schema;
  return generated;
}

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query'): JsonObject[] {
  if (!schema) return [];
  const { properties = {}, required = [] } = jsonSchema(schema, 'input') as {
    properties?: Record<string, JsonObject>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.includes(name),
    schema: property,
  }));
}

const problemResponse = (status: number) => ({
  description: PROBLEM_TITLES[status] ?? 'Problem',
  content: { 'application/problem+json': { schema: PROBLEM_REF } },
});

function operation(route: RouteDeclaration): JsonObject {
  const responses: Record<string, JsonObject> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.etag
        ? { headers: { ETag: { schema: { type: 'string' }, description: 'W/"<version>"' } } }
        : {}),
      ...(response.schema
        ? { content: { 'application/json': { schema: jsonSchema(response.schema, 'output') } } }
        : {}),
    };
  }
  const problems = [
    ...COMMON_PROBLEMS,
    ...(route.security === 'bearer' ? [401, 403] : []),
    ...(route.ifMatch ? [412, 428] : []),
    ...(route.problems ?? []),
  ];
  for (const status of problems) responses[String(status)] ??= problemResponse(status);

  const ifMatch = route.ifMatch
    ? [
        {
          name: 'If-Match',
          in: 'header',
          required: true,
          schema: { type: 'string' },
          description: 'W/"<version>"',
        },
      ]
    : [];
  const allParameters = [
    ...parameters(route.params, 'path'),
    ...parameters(route.query, 'query'),
    ...ifMatch,
  ];
  return {
    operationId: operationIdOf(route),
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.tags ? { tags: [...route.tags] } : {}),
    security: route.security === 'bearer' ? [{ bearerAuth: [] }] : [],
    ...(allParameters.length > 0 ? { parameters: allParameters } : {}),
    // NoBody only refuses stray fields: there is no body to document.
    ...(route.body && route.body !== NoBody
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

export const openApiPath = (koaPath: string) => koaPath.replace(/:(\w+)/g, '{$1}');

/** `get /patients/:id/consultations` -> `getPatientsIdConsultations`. */
function operationIdOf(route: RouteDeclaration): string {
  const words = route.path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return route.method + words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}

/** The whole OpenAPI 3.1 document for these routes, served under `serverUrl` (e.g. `/v1`). */
export function buildOpenApiDocument(
  info: ApiInfo,
  routes: readonly RouteDeclaration[],
  serverUrl = '/v1',
): JsonObject {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = (paths[openApiPath(route.path)] ??= route.server
      ? { servers: [{ url: route.server }] }
      : {});
    if (path[route.method]) throw new Error(`Route declared twice: ${route.method} ${route.path}`);
    path[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { ...info },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        // RFC 9457 problem details, as platform/problem.ts writes them.
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            code: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['pointer', 'detail'],
                properties: { pointer: { type: 'string' }, detail: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}
