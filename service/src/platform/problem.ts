import type { Context, Middleware } from 'koa';
import { ZodError } from 'zod';
import {
  BaseError,
  ConnectionAcquireTimeoutError,
  ForeignKeyConstraintError,
  UniqueConstraintError,
} from 'sequelize';
import { isConnectionLoss } from './connection-loss';
import { AppError, conflict, serviceUnavailable, unprocessable } from './errors';
import { zodIssuesToFieldProblems } from './validate';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Errors thrown by Koa, co-body and http-errors carry a status and an `expose` flag. */
interface HttpLikeError {
  status: number;
  expose?: boolean;
  type?: string;
}

function isHttpLikeError(error: unknown): error is HttpLikeError {
  return typeof error === 'object' && error !== null && typeof (error as HttpLikeError).status === 'number';
}

const malformedJson = () =>
  new AppError(400, 'malformed_json', 'Bad Request', { detail: 'The body is not valid JSON.' });

const bodyParserErrors: Record<string, () => AppError> = {
  'entity.parse.failed': malformedJson,
  'entity.too.large': () =>
    new AppError(413, 'payload_too_large', 'Content Too Large', {
      detail: 'The body is larger than the service accepts.',
    }),
  'encoding.unsupported': () =>
    new AppError(415, 'unsupported_encoding', 'Unsupported Media Type', {
      detail: 'The body encoding is not supported.',
    }),
};

/** Maps anything thrown to an AppError; unknown errors become a generic 500 that reveals nothing. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return unprocessable(zodIssuesToFieldProblems(error.issues));
  if (error instanceof UniqueConstraintError)
    return conflict('A resource with these unique values already exists.', 'already_exists');
  if (error instanceof ForeignKeyConstraintError)
    return conflict('A related resource does not exist or is still in use.', 'related_resource');
  if (error instanceof ConnectionAcquireTimeoutError)
    return serviceUnavailable('The service is at capacity; retry shortly.', 'database_busy');
  // A connection lost under a statement (server restarted, pooler gone): a ConnectionError, or a
  // database error whose code says so. Only the database's errors: a socket code elsewhere is not this.
  if (error instanceof BaseError && isConnectionLoss(error))
    return serviceUnavailable('The database is unreachable; retry shortly.', 'database_unavailable');
  if (isHttpLikeError(error) && error.status >= 400 && error.status < 500) {
    // co-body throws the JSON parser's SyntaxError with a status (and the raw body attached: never log it).
    if (error instanceof SyntaxError) return malformedJson();
    const known = error.type ? bodyParserErrors[error.type] : undefined;
    if (known) return known();
    return statusProblem(error.status);
  }
  return new AppError(500, 'internal_error', 'Internal Server Error', {
    detail: 'Something went wrong on our side; the request id identifies it.',
    cause: error,
  });
}

/** A problem that only has its status to say: what the routers answer for unknown paths and methods. */
const statusProblem = (status: number) => new AppError(status, 'http_error', statusTitle(status));

function statusTitle(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request',
    404: 'Not Found',
    405: 'Method Not Allowed',
    501: 'Not Implemented',
  };
  return titles[status] ?? 'Request Error';
}

export function writeProblem(ctx: Context, error: AppError): void {
  ctx.status = error.status;
  for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
  ctx.type = PROBLEM_CONTENT_TYPE;
  ctx.body = {
    type: `https://carewatch.dev/problems/${error.code.replaceAll('_', '-')}`,
    title: error.title,
    status: error.status,
    code: error.code,
    ...(error.detail ? { detail: error.detail } : {}),
    // The request id, not the path: paths carry resource ids, and the id is what support asks for.
    instance: `urn:carewatch:request:${String(ctx.state.requestId)}`,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

export interface ProblemHooks {
  onUnexpected(error: unknown, ctx: Context): void;
}

/**
 * Outermost error boundary: every failure leaves as problem+json, and so do the bodyless statuses the
 * routers answer by themselves (404 unknown path, 405 method not allowed here, 501 method unknown).
 */
export function problemDetails(hooks: ProblemHooks): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status >= 400 && ctx.body === undefined) writeProblem(ctx, statusProblem(ctx.status));
    } catch (error) {
      const appError = toAppError(error);
      if (appError.status >= 500 && appError.status !== 503) hooks.onUnexpected(error, ctx);
      writeProblem(ctx, appError);
    }
  };
}
