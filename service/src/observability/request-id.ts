import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';

// Accept a caller's id only when it cannot smuggle anything into logs: short, plain characters.
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestId(): Middleware {
  // Not async: nothing runs after the rest of the chain, so this layer adds no promise of its own.
  return (ctx, next) => {
    const offered = ctx.get('X-Request-Id');
    const id = WELL_FORMED.test(offered) ? offered : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    return next();
  };
}
