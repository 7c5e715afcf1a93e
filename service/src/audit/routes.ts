import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Sequelize } from 'sequelize';
import type { z } from 'zod';
import { queryOf, validate } from '../platform/validate';
import { findBreakGlassReasons } from './break-glass-reasons';
import { csvStream, ndjsonStream } from './export';
import { audited, patientIdsFromState } from './middleware';
import type { AuditAction } from './model';
import { allAuditEvents, findAuditEvents } from './queries';
import { afterHoursAccess, breakGlassUses, unusualPatientVolume } from './reports';
import {
  AfterHoursQuery,
  AuditEventsQuery,
  AuditExportQuery,
  BreakGlassQuery,
  BreakGlassReasonsQuery,
  HighVolumeQuery,
} from './schemas';
import type { AuditTrail } from './trail';

export interface AuditRouteDependencies {
  readonly sequelize: Sequelize;
  readonly audit: Pick<AuditTrail, 'verify'>;
  /** Exports carry the most data at once: the caller's extra guards for them (such as a recent step-up). */
  readonly exportGuards?: readonly Middleware[];
}

/** Looking at a patient's audit trail is itself recorded against that patient. */
function auditedQuery(action: AuditAction, resourceType = 'AuditEvent'): Middleware {
  return audited({ action, resourceType, patientIds: patientIdsFromState });
}

function noteSubject(ctx: Context, patientId: string | undefined): void {
  ctx.state.auditPatientIds = patientId ? [patientId] : [];
}

/**
 * The compliance API, for admins at aal2: `guards` are the caller's (e.g. requireRole('admin'),
 * requireAal2()). Every query here is audited as well (resource type AuditEvent, or BreakGlassReason).
 */
export function auditRoutes(
  deps: AuditRouteDependencies,
  guard: Middleware,
  ...moreGuards: Middleware[]
): Router {
  const router = new Router({ prefix: '/admin/audit' });
  const guards = [guard, ...moreGuards];

  router.get(
    '/events',
    ...guards,
    auditedQuery('list'),
    validate({ query: AuditEventsQuery }),
    async (ctx) => {
      const query = queryOf(ctx, AuditEventsQuery);
      noteSubject(ctx, query.patientId);
      ctx.body = await findAuditEvents(deps.sequelize, query);
    },
  );

  router.get(
    '/events/export',
    ...guards,
    ...(deps.exportGuards ?? []),
    auditedQuery('export'),
    validate({ query: AuditExportQuery }),
    (ctx) => {
      const { format, ...filter } = queryOf(ctx, AuditExportQuery);
      noteSubject(ctx, filter.patientId);
      const events = allAuditEvents(deps.sequelize, filter);
      ctx.type = format === 'csv' ? 'text/csv' : 'application/x-ndjson';
      ctx.attachment(`audit-events.${format === 'csv' ? 'csv' : 'ndjson'}`);
      ctx.body = format === 'csv' ? csvStream(events) : ndjsonStream(events);
    },
  );

  /** A review report: a time range and thresholds in, rows out. */
  function report<S extends z.ZodType, Row>(
    path: string,
    schema: S,
    run: (sequelize: Sequelize, query: z.infer<S>) => Promise<Row[]>,
  ) {
    router.get(path, ...guards, auditedQuery('list'), validate({ query: schema }), async (ctx) => {
      ctx.body = { items: await run(deps.sequelize, queryOf(ctx, schema)) };
    });
  }
  report('/reports/after-hours', AfterHoursQuery, afterHoursAccess);
  report('/reports/high-volume', HighVolumeQuery, unusualPatientVolume);
  report('/reports/break-glass', BreakGlassQuery, breakGlassUses);

  // The reasons are free text about patients: the read names every patient whose reason it returned.
  router.get(
    '/break-glass',
    ...guards,
    auditedQuery('list', 'BreakGlassReason'),
    validate({ query: BreakGlassReasonsQuery }),
    async (ctx) => {
      const query = queryOf(ctx, BreakGlassReasonsQuery);
      const page = await findBreakGlassReasons(deps.sequelize, query);
      const named = query.patientId ? [query.patientId] : [];
      ctx.state.auditPatientIds = [...new Set([...named, ...page.items.map((item) => item.patientId)])];
      ctx.set('Cache-Control', 'no-store');
      ctx.body = page;
    },
  );

  router.get('/verify', ...guards, auditedQuery('read'), async (ctx) => {
    ctx.body = await deps.audit.verify();
  });

  return router;
}
