import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { AppError } from './errors';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The API speaks JSON only: a body of any other type (or of no declared type) is refused before anything
 * parses it, and a JSON body of a POST, PUT or PATCH is parsed (up to `limit`). `ctx.is` answers null when
 * there is no body, false when the body's type does not match; an explicit `Content-Length: 0` is no body
 * either (a bodyless POST such as logout needs no type).
 *
 * Not async, and the parser is not a layer of its own: a GET, which is most requests, passes through
 * without a promise of this middleware's.
 */
export function jsonBody(limit: string): Middleware {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: limit, encoding: 'utf-8' });
  return (ctx, next) => {
    if (!METHODS_WITH_BODY.has(ctx.method)) {
      // GET, DELETE and the like take no body here: one sent anyway is refused rather than ignored.
      const carriesBody = (ctx.request.length ?? 0) > 0 || ctx.get('Transfer-Encoding') !== '';
      if (carriesBody) {
        throw new AppError(415, 'unsupported_media_type', 'Unsupported Media Type', {
          detail: `${ctx.method} takes no body.`,
        });
      }
      return next();
    }
    if (ctx.request.length !== 0 && ctx.is('json', '+json') === false) {
      throw new AppError(415, 'unsupported_media_type', 'Unsupported Media Type', {
        detail: 'Send the body as application/json.',
      });
    }
    return parse(ctx, next);
  };
}
