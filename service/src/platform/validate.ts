import type { Context } from 'koa';
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

export interface RequestSchemas {
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly params?: z.ZodType;
}

function parseOrThrow(schema: z.ZodType | undefined, value: unknown, prefix: string): unknown {
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

/** Parses body, query and path parameters with their schemas; 422 naming every invalid field. */
export function parseInput(
  ctx: Context,
  schemas: RequestSchemas,
): { readonly body: unknown; readonly query: unknown; readonly params: unknown } {
  return {
    body: parseOrThrow(schemas.body, ctx.request.body, '#/body'),
    query: parseOrThrow(schemas.query, ctx.query, '#/query'),
    params: parseOrThrow(schemas.params, (ctx as { params?: unknown }).params, '#/params'),
  };
}
