import { z } from 'zod';
import { unprocessable } from './errors';

/**
 * Keyset pagination by (timestamp, id): the cursor names the last row of the previous page, so a page
 * costs the same however deep it is and rows inserted meanwhile never shift it.
 */
export const MAX_PAGE_SIZE = 100;
const MAX_CURSOR_LENGTH = 200;

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
  cursor: z.string().max(MAX_CURSOR_LENGTH).optional(),
});
export type PageRequest = z.infer<typeof PageQuery>;

/** The response schema of a page of `item`s, for OpenAPI. */
export const pageResponse = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item).max(MAX_PAGE_SIZE),
    nextCursor: z.string().max(MAX_CURSOR_LENGTH).nullable(),
  });

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface Cursor {
  readonly at: Date;
  readonly id: string;
}

const CursorShape = z.tuple([z.iso.datetime(), z.uuid()]);

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const [at, id] = CursorShape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { at: new Date(at), id };
  } catch {
    throw unprocessable([{ pointer: '/cursor', detail: 'Not a cursor this service issued.' }]);
  }
}

/**
 * Runs a page query that fetched `limit + 1` rows: the extra row only says whether another page exists.
 */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => Cursor): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last).at, keyOf(last).id) : null,
  };
}

/**
 * The SQL pieces of a newest-first page over (`timeColumn`, id), bound from parameter `$first` on.
 * Oldest-first pages pass `order: 'ASC'`.
 */
export function keysetClause(
  page: PageRequest,
  timeColumn: string,
  first: number,
  order: 'ASC' | 'DESC' = 'DESC',
): { where: string; orderLimit: string; bind: unknown[] } {
  const cursor = page.cursor ? decodeCursor(page.cursor) : undefined;
  const comparison = order === 'DESC' ? '<' : '>';
  const where = cursor ? `AND (${timeColumn}, id) ${comparison} ($${first}, $${first + 1})` : '';
  const limitParam = cursor ? first + 2 : first;
  return {
    where,
    orderLimit: `ORDER BY ${timeColumn} ${order}, id ${order} LIMIT $${limitParam}`,
    bind: cursor ? [cursor.at, cursor.id, page.limit + 1] : [page.limit + 1],
  };
}

/** A page as a response: each row through its presenter, the cursor as it is. */
export function presentPage<T, R>(page: Page<T>, present: (row: T) => R): Page<R> {
  return { items: page.items.map(present), nextCursor: page.nextCursor };
}
