import { badRequest } from './errors';

/**
 * A row's `version` column is its entity tag. Weak, because the representation (presenter output) may
 * vary by audience while the version stays the same.
 */
export function formatETag(version: number): string {
  return `W/"${version}"`;
}

/** Reads an If-Match value (`W/"3"` or `"3"`); a malformed value is the client's mistake (400). */
export function parseETag(header: string): number {
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(header.trim());
  if (!match?.[1]) throw badRequest('If-Match must be an entity tag such as W/"3".', 'malformed_etag');
  return Number(match[1]);
}
