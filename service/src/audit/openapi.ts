import type { z } from 'zod';
import type { RouteDeclaration } from '../platform/openapi';
import {
  AfterHoursQuery,
  AuditEventsQuery,
  AuditExportQuery,
  BreakGlassQuery,
  BreakGlassReasonsQuery,
  BreakGlassReasonsResponse,
  HighVolumeQuery,
} from './schemas';

/** The compliance API (audit/routes.ts) for the OpenAPI document; every route is itself audited. */
const get = (path: string, summary: string, query?: z.ZodObject, schema?: z.ZodType): RouteDeclaration => ({
  method: 'get',
  path: `/admin/audit${path}`,
  summary,
  tags: ['audit'],
  security: 'bearer',
  ...(query ? { query } : {}),
  responses: { 200: { description: summary, ...(schema ? { schema } : {}) } },
});

export const auditRouteDeclarations: readonly RouteDeclaration[] = [
  get('/events', 'Audit events by patient, user, action and time, newest first', AuditEventsQuery),
  get('/events/export', 'Export audit events as NDJSON or CSV', AuditExportQuery),
  get('/reports/after-hours', 'PHI access outside working hours', AfterHoursQuery),
  get('/reports/high-volume', 'Users who touched unusually many patients', HighVolumeQuery),
  get('/reports/break-glass', 'Break-glass accesses', BreakGlassQuery),
  get(
    '/break-glass',
    'The stated reasons of break-glass accesses, decrypted, newest first',
    BreakGlassReasonsQuery,
    BreakGlassReasonsResponse,
  ),
  get('/verify', 'Verify the hash chain of the audit trail'),
];
