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

const JWT_PRACTICES =
  'A JWS access token (EdDSA or ES256; alg none and symmetric algorithms refused), short-lived, verified ' +
  'for issuer, audience, expiry and session as RFC8725 (JWT best current practices) asks.';

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
/** Any operation: malformed, a body where none is taken or not JSON, invalid fields, a failure, a dependency down. */
const COMMON_PROBLEMS = [400, 415, 422, 429, 500, 503];
/** Bodies are parsed (and limited in size) for these methods only. */
const WRITE_METHODS: ReadonlySet<HttpMethod> = new Set(['post', 'put', 'patch']);
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

/** The longest text each string format allows (uuid and date by their shape; the others by RFC). */
const FORMAT_MAX_LENGTH: Record<string, number> = {
  uuid: 36,
  date: 10,
  'date-time': 64,
  email: 254,
  uri: 2048,
};
const INT32 = 2 ** 31;

/**
 * What zod leaves implicit, made explicit for clients and scanners (OWASP API4): an integer's format
 * from its bounds, a formatted string's length from its format.
 */
function explicitLimits(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(explicitLimits);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as JsonObject;
  if (schema.type === 'integer' && schema.format === undefined) {
    const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
    const fits32 = minimum !== undefined && maximum !== undefined && minimum >= -INT32 && maximum < INT32;
    schema.format = fits32 ? 'int32' : 'int64';
  }
  const formatLimit = typeof schema.format === 'string' ? FORMAT_MAX_LENGTH[schema.format] : undefined;
  if (schema.type === 'string' && formatLimit !== undefined && schema.maxLength === undefined)
    schema.maxLength = formatLimit;
  Object.values(schema).forEach(explicitLimits);
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  // The dialect is the document's (3.1 = JSON Schema 2020-12), so the per-schema `$schema` goes.
  const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  delete generated.$schema;
  explicitLimits(generated);
  return generated;
}

const headerSchema = (schema: JsonObject, description: string) => ({ schema, description });
const seconds = { type: 'integer', format: 'int32', minimum: 0, maximum: 86_400 };
/** Sent on every answer of the API (platform/request-rate-limit.ts, platform/cors.ts). */
const COMMON_HEADERS = {
  'RateLimit-Limit': headerSchema(
    { type: 'integer', format: 'int32', minimum: 1, maximum: 2 ** 31 - 1 },
    'Requests this client address may make per window',
  ),
  'RateLimit-Remaining': headerSchema(
    { type: 'integer', format: 'int32', minimum: 0, maximum: 2 ** 31 - 1 },
    'Requests left in this window',
  ),
  'RateLimit-Reset': headerSchema(seconds, 'Seconds until the window resets'),
  'Access-Control-Allow-Origin': headerSchema(
    { type: 'string', maxLength: 2048, format: 'uri' },
    'The calling origin, only when it is in the CORS_ORIGINS allow-list (never *; no credentials)',
  ),
};
const ETAG_HEADER = {
  ETag: headerSchema({ type: 'string', maxLength: 32, pattern: '^W/"\\d+"$' }, 'W/"<version>"'),
};
const RETRY_AFTER_HEADER = { 'Retry-After': headerSchema(seconds, 'Seconds to wait before retrying') };

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
  headers: { ...COMMON_HEADERS, ...(status === 429 ? RETRY_AFTER_HEADER : {}) },
  content: { 'application/problem+json': { schema: PROBLEM_REF } },
});

function operation(route: RouteDeclaration): JsonObject {
  const responses: Record<string, JsonObject> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = {
      description: response.description,
      headers: { ...COMMON_HEADERS, ...(response.etag ? ETAG_HEADER : {}) },
      ...(response.schema
        ? { content: { 'application/json': { schema: jsonSchema(response.schema, 'output') } } }
        : {}),
    };
  }
  const problems = [
    ...COMMON_PROBLEMS,
    ...(WRITE_METHODS.has(route.method) ? [413] : []),
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
          // W/"3" or "3" (platform/etag.ts).
          schema: { type: 'string', maxLength: 32 },
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
    security: route.security === 'public' ? [] : [{ [securitySchemeOf(route)]: [] }],
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

/** Administration is described apart (OWASP API5): the same kind of token, but only an admin's at aal2. */
const securitySchemeOf = (route: RouteDeclaration) =>
  route.path.startsWith('/admin/') ? 'adminBearerAuth' : 'bearerAuth';

export const openApiPath = (koaPath: string) => koaPath.replace(/:(\w+)/g, '{$1}');

/** `get /patients/:id/consultations` -> `getPatientsIdConsultations`. */
function operationIdOf(route: RouteDeclaration): string {
  const words = route.path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return route.method + words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}

/**
 * The whole OpenAPI 3.1 document for these routes. Every path is written in full (`/v1/patients/me`,
 * `/openapi.json`) under the one server at the root: a `/v1` server would make the routes outside the API
 * prefix, this document's own address among them, read as if they were under it.
 */
export function buildOpenApiDocument(
  info: ApiInfo,
  routes: readonly RouteDeclaration[],
  apiPrefix = '/v1',
): JsonObject {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const prefix = (route.server ?? apiPrefix).replace(/\/$/, '');
    const path = (paths[`${prefix}${openApiPath(route.path)}`] ??= {});
    if (path[route.method]) throw new Error(`Route declared twice: ${route.method} ${route.path}`);
    path[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { ...info },
    servers: [
      {
        url: '/',
        description: `this deployment (local, staging or production); the API is under ${apiPrefix}`,
        'x-internal': false,
      },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `${JWT_PRACTICES} Any signed-in account (patient, provider or admin).`,
        },
        adminBearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `${JWT_PRACTICES} Only an admin's, with a second factor (aal2); others get 403.`,
        },
      },
      schemas: {
        // RFC 9457 problem details, as platform/problem.ts writes them.
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string', format: 'uri', maxLength: 2048 },
            title: { type: 'string', maxLength: 200 },
            status: { type: 'integer', format: 'int32', minimum: 400, maximum: 599 },
            detail: { type: 'string', maxLength: 2000 },
            instance: { type: 'string', maxLength: 200 },
            code: { type: 'string', maxLength: 64, pattern: '^[a-z0-9_]+$' },
            errors: {
              type: 'array',
              maxItems: 1000,
              items: {
                type: 'object',
                required: ['pointer', 'detail'],
                properties: {
                  pointer: { type: 'string', maxLength: 512 },
                  detail: { type: 'string', maxLength: 2000 },
                },
              },
            },
          },
        },
      },
    },
  };
}
