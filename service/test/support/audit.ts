import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { QueryTypes } from 'sequelize';
import { createApp } from '../../src/app';
import { audited, patientIdsFromState } from '../../src/audit/middleware';
import { notFound } from '../../src/platform/errors';
import { tagged } from '../../src/platform/route-metadata';
import type { Runtime } from '../../src/runtime';

/**
 * Test wiring of the caller's identity (auth is built elsewhere): the request names who it acts as.
 * Only the identity is supplied; the audit code under test reads it as it will read the real one.
 */
export function identityFromHeaders(): Middleware {
  return tagged(
    async (ctx, next) => {
      const userId = ctx.get('X-Test-User');
      if (userId) ctx.state.auth = { userId, role: ctx.get('X-Test-Role') || 'patient', sessionId: randomUUID(), aal: 'aal2' };
      await next();
    },
    { guard: 'test-identity' },
  );
}

export const asUser = (userId: string, role = 'patient') => ({ 'X-Test-User': userId, 'X-Test-Role': role });

/** Makes a patient with distinctive, unique values; returns its id and the PHI values it holds. */
export async function createPatient(runtime: Runtime, tag = randomUUID().slice(0, 8)) {
  const phi = { email: `zelda.quux.${tag}@example.test`, givenName: `Zeldaphi${tag}`, familyName: `Quuxphi${tag}`, phone: `+1555${tag.replace(/\D/g, '7').slice(0, 7)}`, condition: `Hyperquuxemia ${tag}` };
  const user = await runtime.models.User.create({
    email: phi.email,
    role: 'patient',
    passwordHash: null,
    lockedUntil: null,
    externalSubject: null,
    passwordChangedAt: null,
  });
  await runtime.models.Patient.create({
    userId: user.id,
    givenName: phi.givenName,
    familyName: phi.familyName,
    dateOfBirth: '1961-07-13',
    phone: phi.phone,
    allergies: null,
    conditions: [phi.condition],
    medications: null,
    insurancePayer: null,
    insuranceMemberId: null,
    insuranceGroupNumber: null,
    subscriptionRenewsAt: null,
  });
  return { id: user.id, phi };
}

/**
 * PHI routes of the shape the clinical features will have: a read refused as 404 for anyone but the
 * patient, and a search by a PHI value (in the body, never the URL) whose patients are known only after.
 */
export function phiTestRouter(runtime: Runtime): Router {
  const router = new Router({ prefix: '/phi-test' });
  router.use(identityFromHeaders());
  router.get(
    '/patients/:id',
    audited({ action: 'read', resourceType: 'Patient', patientIds: (ctx) => [ctx.params.id!], resourceIds: (ctx) => [ctx.params.id!] }),
    async (ctx) => {
      const auth = ctx.state.auth as { userId: string } | undefined;
      if (auth?.userId !== ctx.params.id) throw notFound();
      const patient = await runtime.models.Patient.findByPk(ctx.params.id);
      if (!patient) throw notFound();
      ctx.body = { id: patient.userId, givenName: patient.givenName, familyName: patient.familyName, conditions: patient.conditions };
    },
  );
  router.post('/patients/search', audited({ action: 'list', resourceType: 'Patient', patientIds: patientIdsFromState }), async (ctx) => {
    const { familyName } = ctx.request.body as { familyName: string };
    const rows = await runtime.models.Patient.findAll({ where: { familyName }, raw: true });
    ctx.state.auditPatientIds = rows.map((row) => row.userId);
    ctx.body = { items: rows.map((row) => ({ id: row.userId, givenName: row.givenName, familyName: row.familyName })) };
  });
  router.get('/open', (ctx) => {
    ctx.body = { ok: true };
  });
  return router;
}

/** The real app, wired by createApp with the runtime's dependencies, serving the given routers. */
export function appWith(runtime: Runtime, routers: Router[]) {
  return createApp({
    config: runtime.config,
    logger: runtime.logger,
    metrics: runtime.metrics,
    isReady: async () => undefined,
    recordAuditEvent: runtime.audit.record,
    apiRouters: routers,
  });
}

export interface AuditRow {
  seq: string;
  actor_user_id: string | null;
  actor_role: string;
  action: string;
  event_type: string;
  resource_type: string;
  resource_ids: string[];
  patient_ids: string[];
  outcome: string;
  request_id: string | null;
  trace_id: string | null;
  source_ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
  content_hash: string;
}

export async function auditRowsFor(runtime: Runtime, requestId: string): Promise<AuditRow[]> {
  return runtime.sequelize.query<AuditRow>(`SELECT * FROM audit_events WHERE request_id = $1 ORDER BY seq`, {
    bind: [requestId],
    type: QueryTypes.SELECT,
  });
}
