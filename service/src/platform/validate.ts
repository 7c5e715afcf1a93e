import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { unprocessable, type FieldProblem } from './errors';

export function zodIssuesToFieldProblems(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  // The message is zod's description of the rule, never the rejected value: values may be PHI.
  return issues.map((issue) => ({
    pointer: `/${issue.path.map(String).join('/')}`,
    detail: issue.message,
  }));
}

/** The body of a route that takes no input: it still refuses unknown fields, as every route does. */
export const NoBody = z.strictObject({});

export interface RequestSchemas<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  readonly body?: B;
  readonly query?: Q;
  readonly params?: P;
}

export interface Validated<B, Q, P> {
  readonly body: B;
  readonly query: Q;
  readonly params: P;
}

function parseOrThrow<T extends z.ZodType>(
  schema: T | undefined,
  value: unknown,
  prefix: string,
): z.infer<T> | undefined {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw unprocessable(
    zodIssuesToFieldProblems(result.error.issues).map((problem) => ({
      ...problem,
      pointer: `${prefix}${problem.pointer}`,
    })),
  );
}

/** Validates body, query and params; the parsed values land in `ctx.state.input`. */
export function validate<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  schemas: RequestSchemas<B, Q, P>,
): Middleware {
  return async (ctx, next) => {
    const input: Validated<unknown, unknown, unknown> = {
      body: parseOrThrow(schemas.body, ctx.request.body, '#/body'),
      query: parseOrThrow(schemas.query, ctx.query, '#/query'),
      params: parseOrThrow(schemas.params, ctx.params, '#/params'),
    };
    ctx.state.input = input;
    await next();
  };
}

/** An accessor for one part of what `validate` parsed, typed by the schema that parsed that part. */
const parsedPart =
  (part: keyof Validated<unknown, unknown, unknown>) =>
  <T extends z.ZodType>(ctx: Context, _schema: T): z.infer<T> =>
    (ctx.state.input as Validated<unknown, unknown, unknown>)[part] as z.infer<T>;

/** The parsed body `validate` left on the context. */
export const bodyOf = parsedPart('body');
/** The parsed query `validate` left on the context. */
export const queryOf = parsedPart('query');
/** The parsed path parameters `validate` left on the context. */
export const paramsOf = parsedPart('params');
