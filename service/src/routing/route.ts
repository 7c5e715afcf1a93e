import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { audited, type AuditedOptions } from '../audit/middleware';
import { nameRefusedSubject } from '../audit/subject';
import type { RouteDeclaration } from '../platform/openapi';
import { publicRoute, tagged } from '../platform/route-metadata';
import { NoBody, parseInput } from '../platform/validate';
import '../request-state';

type Schema = z.ZodType | undefined;
type Parsed<S extends Schema> = S extends z.ZodType ? z.infer<S> : undefined;

/** What the handler receives: the request's parts, parsed by the route's own schemas. */
export interface RouteInput<P extends Schema, Q extends Schema, B extends Schema> {
  readonly params: Parsed<P>;
  readonly query: Parsed<Q>;
  readonly body: Parsed<B>;
}

/** A PHI route's audit (see audit/subject.ts for how its subject is named). */
export interface RouteAudit<I> extends AuditedOptions {
  /** Whose record a refused request was for, when the handler failed before naming it. */
  readonly refusal?: (input: I, ctx: Context) => Promise<string | undefined>;
}

/** Everything about one route, in one place: what the router mounts and what OpenAPI documents. */
export interface RouteDefinition<
  P extends z.ZodObject | undefined,
  Q extends z.ZodObject | undefined,
  B extends Schema,
> extends Omit<RouteDeclaration, 'security' | 'params' | 'query' | 'body'> {
  /** Run in order before anything else; `'public'` says that anyone may call (never an omission). */
  readonly guards: readonly Middleware[] | 'public';
  readonly input?: { readonly params?: P; readonly query?: Q; readonly body?: B };
  readonly audit?: RouteAudit<RouteInput<P, Q, B>>;
  readonly handler: (ctx: Context, input: RouteInput<P, Q, B>) => Promise<void> | void;
}

/** A declared route: its middleware chain and its OpenAPI description. */
export interface Route {
  readonly declaration: RouteDeclaration;
  readonly middleware: readonly Middleware[];
}

/**
 * Declares a route. The chain is: guards, the audit (so refusals and invalid input are audited too),
 * then input parsing (422 on bad input) and the handler with the parsed input.
 */
export function defineRoute<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends Schema = undefined,
>(definition: RouteDefinition<P, Q, B>): Route {
  const { guards, input = {}, audit, handler, ...described } = definition;
  const declaration: RouteDeclaration = {
    ...described,
    ...input,
    security: guards === 'public' ? 'public' : 'bearer',
  };
  // A route that declares no body still refuses one with fields (an empty `{}` is no body).
  const schemas = { body: NoBody.optional(), ...input };
  const parse = (ctx: Context) => parseInput(ctx, schemas) as RouteInput<P, Q, B>;
  const refusal = audit?.refusal;
  // Without a refusal to name, nothing runs after the handler: no async layer of the endpoint's own.
  const endpoint: Middleware = refusal
    ? async (ctx) => {
        const parsed = parse(ctx);
        try {
          await handler(ctx, parsed);
        } catch (error) {
          await nameRefusedSubject(ctx, () => refusal(parsed, ctx));
          throw error;
        }
      }
    : (ctx) => handler(ctx, parse(ctx));
  return {
    declaration,
    middleware: [
      ...(guards === 'public' ? [publicRoute()] : guards),
      ...(audit ? [audited(audit)] : []),
      tagged(endpoint, { declaration }),
    ],
  };
}

/**
 * Every router's options. Paths match case-sensitively (RFC 3986): otherwise `/V1/patients/me` answered the
 * API's routes outside the /v1/ prefix that the app keys no-store, and the router skipping, on.
 */
export const ROUTER_OPTIONS = { sensitive: true } as const;

/** Mounts routes on a router (a new one by default); the OpenAPI document is read back from it. */
export function mountRoutes(routes: readonly Route[], router = new Router(ROUTER_OPTIONS)): Router {
  for (const { declaration, middleware } of routes) {
    router[declaration.method](declaration.path, ...middleware);
  }
  return router;
}
