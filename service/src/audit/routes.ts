import type { Middleware } from 'koa';
import type { Sequelize } from 'sequelize';
import type { z } from 'zod';
import { defineRoute, mountRoutes, type Route } from '../routing/route';
import { findBreakGlassReasons } from './break-glass-reasons';
import { csvStream, ndjsonStream } from './export';
import type { AuditAction } from './model';
import { allAuditEvents, findAuditEvents } from './queries';
import { afterHoursAccess, breakGlassUses, unusualPatientVolume } from './reports';
import {
  AfterHoursQuery,
  AuditEventsQuery,
  AuditExportQuery,
  BreakGlassQuery,
  BreakGlassReasonsQuery,
  BreakGlassReasonsResponse,
  HighVolumeQuery,
} from './schemas';
import { noteAuditSubject } from './subject';
import type { AuditTrail } from './trail';

export interface AuditRouteDependencies {
  readonly sequelize: Sequelize;
  readonly audit: Pick<AuditTrail, 'verify'>;
  /** Exports carry the most data at once: the caller's extra guards for them (such as a recent step-up). */
  readonly exportGuards?: readonly Middleware[];
}

const tags = ['audit'];
/** Looking at a patient's audit trail is itself recorded against that patient. */
const auditedQuery = (action: AuditAction, resourceType = 'AuditEvent') => ({ action, resourceType });
const patientsNamed = (patientId: string | undefined) => ({ patientIds: patientId ? [patientId] : [] });
const described = (summary: string, schema?: z.ZodType) => ({
  summary,
  responses: { 200: { description: summary, ...(schema ? { schema } : {}) } },
});

/**
 * The compliance API, for admins at aal2: `guards` are the caller's (e.g. requireRole('admin'),
 * requireAal2()). Every query here is audited as well (resource type AuditEvent, or BreakGlassReason).
 */
export function auditRoutes(deps: AuditRouteDependencies, ...guards: [Middleware, ...Middleware[]]) {
  /** A review report: a time range and thresholds in, rows out. */
  const report = <S extends z.ZodObject, Row>(
    path: string,
    summary: string,
    schema: S,
    run: (sequelize: Sequelize, query: z.infer<S>) => Promise<Row[]>,
  ): Route =>
    defineRoute({
      method: 'get',
      path: `/admin/audit/reports/${path}`,
      ...described(summary),
      tags,
      guards,
      audit: auditedQuery('list'),
      input: { query: schema },
      handler: async (ctx, { query }) => {
        ctx.body = { items: await run(deps.sequelize, query as z.infer<S>) };
      },
    });

  return mountRoutes([
    defineRoute({
      method: 'get',
      path: '/admin/audit/events',
      ...described('Audit events by patient, user, action and time, newest first'),
      tags,
      guards,
      audit: auditedQuery('list'),
      input: { query: AuditEventsQuery },
      handler: async (ctx, { query }) => {
        noteAuditSubject(ctx, patientsNamed(query.patientId));
        ctx.body = await findAuditEvents(deps.sequelize, query);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/audit/events/export',
      ...described('Export audit events as NDJSON or CSV'),
      tags,
      guards: [...guards, ...(deps.exportGuards ?? [])],
      audit: auditedQuery('export'),
      input: { query: AuditExportQuery },
      handler: (ctx, { query: { format, ...filter } }) => {
        noteAuditSubject(ctx, patientsNamed(filter.patientId));
        const events = allAuditEvents(deps.sequelize, filter);
        ctx.type = format === 'csv' ? 'text/csv' : 'application/x-ndjson';
        ctx.attachment(`audit-events.${format === 'csv' ? 'csv' : 'ndjson'}`);
        ctx.body = format === 'csv' ? csvStream(events) : ndjsonStream(events);
      },
    }),
    report('after-hours', 'PHI access outside working hours', AfterHoursQuery, afterHoursAccess),
    report('high-volume', 'Users who touched unusually many patients', HighVolumeQuery, unusualPatientVolume),
    report('break-glass', 'Break-glass accesses', BreakGlassQuery, breakGlassUses),
    // The reasons are free text about patients: the read names every patient whose reason it returned.
    defineRoute({
      method: 'get',
      path: '/admin/audit/break-glass',
      ...described(
        'The stated reasons of break-glass accesses, decrypted, newest first',
        BreakGlassReasonsResponse,
      ),
      tags,
      guards,
      audit: auditedQuery('list', 'BreakGlassReason'),
      input: { query: BreakGlassReasonsQuery },
      handler: async (ctx, { query }) => {
        const page = await findBreakGlassReasons(deps.sequelize, query);
        noteAuditSubject(ctx, {
          patientIds: [
            ...patientsNamed(query.patientId).patientIds,
            ...page.items.map((item) => item.patientId),
          ],
        });
        ctx.set('Cache-Control', 'no-store');
        ctx.body = page;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/audit/verify',
      ...described('Verify the hash chain of the audit trail'),
      tags,
      guards,
      audit: auditedQuery('read'),
      handler: async (ctx) => {
        ctx.body = await deps.audit.verify();
      },
    }),
  ]);
}
