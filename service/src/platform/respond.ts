import type { Context } from 'koa';
import { formatETag } from './etag';

/** Answers one versioned resource: its presented body, with its version as the ETag. */
export function sendVersioned(ctx: Context, version: number, body: unknown, status = 200): void {
  ctx.status = status;
  ctx.set('ETag', formatETag(version));
  ctx.body = body;
}
