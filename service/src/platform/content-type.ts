import type { Middleware } from 'koa';
import { AppError } from './errors';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The API speaks JSON only: a body of any other type (or of no declared type) is refused before anything
 * parses it. `ctx.is` answers null when there is no body, false when the body's type does not match; an
 * explicit `Content-Length: 0` is no body either (a bodyless POST such as logout needs no type).
 */
export function requireJsonBody(): Middleware {
  return async (ctx, next) => {
    // GET, DELETE and the like take no body here: one sent anyway is refused rather than ignored.
    const carriesBody = (ctx.request.length ?? 0) > 0 || ctx.get('Transfer-Encoding') !== '';
    if (!METHODS_WITH_BODY.has(ctx.method) && carriesBody) {
      throw new AppError(415, 'unsupported_media_type', 'Unsupported Media Type', {
        detail: `${ctx.method} takes no body.`,
      });
    }
    if (METHODS_WITH_BODY.has(ctx.method) && ctx.request.length !== 0 && ctx.is('json', '+json') === false) {
      throw new AppError(415, 'unsupported_media_type', 'Unsupported Media Type', {
        detail: 'Send the body as application/json.',
      });
    }
    await next();
  };
}
