import type { Middleware } from 'koa';
import type { z } from 'zod';
import type { AuditedOptions } from '../audit/middleware';
import { readAuditOf, type ReadAudit } from '../audit/read-audit';
import { authOf } from '../auth/context';
import type { Actor } from '../platform/actor';
import { expectedVersion, sendVersioned } from '../platform/conditional-request';
import { defineRoute, type Route } from './route';

/** A caller's own versioned profile, as its feature's service reads and changes it. */
export interface OwnProfileService<Row, Changes> {
  /** With the route's audit offer when it is audited: the service may write the event with its read. */
  getOwnProfile(actor: Actor, audit?: ReadAudit): Promise<Row>;
  /** 412 when the profile is no longer at `version`. */
  updateOwnProfile(actor: Actor, version: number, changes: Changes): Promise<Row>;
}

export interface OwnProfileRoutes<Row, Body extends z.ZodObject> {
  /** e.g. `/patients/me` */
  readonly path: string;
  /** What the summaries call it: `profile`, `provider profile`. */
  readonly noun: string;
  readonly tags: readonly string[];
  readonly guards: readonly Middleware[];
  /** The audit of each route, when the profile is PHI. */
  readonly audit?: (action: 'read' | 'update') => AuditedOptions;
  readonly body: Body;
  readonly response: z.ZodType;
  readonly service: OwnProfileService<Row, z.infer<Body>>;
  readonly present: (row: Row) => { readonly version: number };
}

/**
 * `GET <path>` answers the caller's profile with its version as ETag; `PATCH <path>` changes it only
 * under If-Match with that ETag (428 without, 412 when stale), so no edit silently overwrites another.
 */
export function ownProfileRoutes<Row, Body extends z.ZodObject>(
  profile: OwnProfileRoutes<Row, Body>,
): Route[] {
  const { path, noun, tags, guards, audit, service, present } = profile;
  const responses = { 200: { description: 'My profile', schema: profile.response, etag: true } };
  return [
    defineRoute({
      method: 'get',
      path,
      summary: `Read my ${noun}`,
      tags,
      guards,
      ...(audit ? { audit: audit('read') } : {}),
      responses,
      handler: async (ctx) => {
        sendVersioned(ctx, present(await service.getOwnProfile(authOf(ctx), readAuditOf(ctx))));
      },
    }),
    defineRoute({
      method: 'patch',
      path,
      summary: `Change my ${noun}`,
      tags,
      guards,
      ...(audit ? { audit: audit('update') } : {}),
      input: { body: profile.body },
      ifMatch: true,
      responses,
      handler: async (ctx, { body }) => {
        const version = expectedVersion(ctx);
        sendVersioned(
          ctx,
          present(await service.updateOwnProfile(authOf(ctx), version, body as z.infer<Body>)),
        );
      },
    }),
  ];
}
