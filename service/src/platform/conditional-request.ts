import type { Context } from 'koa';
import { formatETag, parseETag } from './etag';
import { preconditionRequired } from './errors';

/**
 * The version a conditional update expects, from If-Match. Updating without it would silently overwrite
 * someone else's change, so it is required (428); a malformed one is 400, a stale one 412 (the service).
 */
export function expectedVersion(ctx: Context): number {
  const header = ctx.get('If-Match');
  if (!header) {
    throw preconditionRequired('Send If-Match with the ETag of the record you read.', 'if_match_required');
  }
  return parseETag(header);
}

/** Answers a single versioned resource: its version is the ETag the client sends back in If-Match. */
export function sendVersioned(ctx: Context, body: { readonly version: number }): void {
  ctx.set('ETag', formatETag(body.version));
  ctx.body = body;
}
