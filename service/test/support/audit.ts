import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { QueryTypes } from 'sequelize';
import { createApp } from '../../src/app';
import { audited } from '../../src/audit/middleware';
import { fromParam, noteAuditSubject } from '../../src/audit/subject';
import { notFound } from '../../src/platform/errors';
import { tagged } from '../../src/platform/route-metadata';
import { createMigrator } from '../../../db/migrator';
import { createAuditTrail } from '../../src/audit/trail';
import { createLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';
import { createDatabase } from '../../src/platform/db';
import type { Runtime } from '../../src/runtime';
import { testConfig } from './runtime';

/**
 * Test wiring of the caller's identity (auth is built elsewhere): the request names who it acts as.
 * Only the identity is supplied; the audit code under test reads it as it will read the real one.
 */
export function identityFromHeaders(): Middleware {
  return tagged(
    async (ctx, next) => {
      const userId = ctx.get('X-Test-User');
      if (userId)
        ctx.state.auth = {
          userId,
          role: ctx.get('X-Test-Role') || 'patient',
          sessionId: randomUUID(),
          aal: 'aal2',
        };
      await next();
    },
    { guard: 'test-identity' },
  );
}

export const asUser = (userId: string, role = 'patient') => ({ 'X-Test-User': userId, 'X-Test-Role': role });

/** What the audit tests need of a service: a runtime has it, and so has an AuditHarness. */
export type AuditDeps = Pick<Runtime, 'sequelize' | 'metrics' | 'logger' | 'config' | 'audit'>;

/**
 * A database connection and the audit trail on it, without the models: Sequelize models are static
 * classes, so a second runtime would take them away from the shared one.
 */
export function createAuditHarness(
  databaseUrl: string,
  overrides: NodeJS.ProcessEnv = {},
): AuditDeps & { close(): Promise<void>; migrate(): Promise<unknown> } {
  const config = testConfig(overrides);
  const metrics = createMetrics();
  const logger = createLogger({ level: 'error', stream: new PassThrough() });
  const sequelize = createDatabase({ url: databaseUrl, poolMax: 5, statementTimeoutMs: 10_000 }, metrics);
  const audit = createAuditTrail(sequelize, config, metrics, logger);
  return {
    sequelize,
    metrics,
    logger,
    config,
    audit,
    migrate: () => createMigrator(sequelize, databaseUrl).up(),
    async close() {
      await audit.stop();
      await sequelize.close();
    },
  };
}

/** Makes a patient with distinctive, unique values; returns its id and the PHI values it holds. */
export async function createPatientWithPhi(deps: AuditDeps, tag = randomUUID().slice(0, 8)) {
  const phi = {
    email: `zelda.quux.${tag}@example.test`,
    givenName: `Zeldaphi${tag}`,
    familyName: `Quuxphi${tag}`,
    phone: `+1555${tag.replace(/\D/g, '7').slice(0, 7)}`,
    memberId: `MBR-${tag}-QX`,
  };
  const [user] = await deps.sequelize.query<{ id: string }>(
    `INSERT INTO users (email, role) VALUES ($1, 'patient') RETURNING id`,
    {
      bind: [phi.email],
      type: QueryTypes.SELECT,
    },
  );
  await deps.sequelize.query(
    `INSERT INTO patients (user_id, given_name, family_name, date_of_birth, phone, insurance_member_id)
     VALUES ($1, $2, $3, '1961-07-13', $4, $5)`,
    { bind: [user!.id, phi.givenName, phi.familyName, phi.phone, phi.memberId] },
  );
  return { id: user!.id, phi };
}

const PATIENT_COLUMNS = `user_id AS id, given_name AS "givenName", family_name AS "familyName", date_of_birth AS "dateOfBirth",
  phone, insurance_member_id AS "memberId"`;

/**
 * PHI routes of the shape the clinical features will have: a read refused as 404 for anyone but the
 * patient, and a search by a PHI value (in the body, never the URL) whose patients are known only after.
 */
export function phiTestRouter(deps: AuditDeps): Router {
  const router = new Router({ prefix: '/phi-test' });
  router.use(identityFromHeaders());
  router.get(
    '/patients/:id',
    audited({
      action: 'read',
      resourceType: 'Patient',
      patientIds: fromParam('id'),
      resourceIds: fromParam('id'),
    }),
    async (ctx) => {
      const auth = ctx.state.auth as { userId: string } | undefined;
      if (auth?.userId !== ctx.params.id) throw notFound();
      const [patient] = await deps.sequelize.query(
        `SELECT ${PATIENT_COLUMNS} FROM patients WHERE user_id = $1`,
        {
          bind: [ctx.params.id],
          type: QueryTypes.SELECT,
        },
      );
      if (!patient) throw notFound();
      ctx.body = patient;
    },
  );
  router.post('/patients/search', audited({ action: 'list', resourceType: 'Patient' }), async (ctx) => {
    const { familyName } = ctx.request.body as { familyName: string };
    const rows = await deps.sequelize.query<{ id: string }>(
      `SELECT ${PATIENT_COLUMNS} FROM patients WHERE family_name = $1`,
      {
        bind: [familyName],
        type: QueryTypes.SELECT,
      },
    );
    noteAuditSubject(ctx, { patientIds: rows.map((row) => row.id) });
    ctx.body = { items: rows };
  });
  return router;
}

/** The real app, wired by createApp with the runtime's dependencies, serving the given routers. */
export function appWith(deps: AuditDeps, routers: Router[]) {
  return createApp({
    config: deps.config,
    logger: deps.logger,
    metrics: deps.metrics,
    isReady: () => Promise.resolve(undefined),
    recordAuditEvent: deps.audit.record,
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

export async function auditRowsFor(deps: AuditDeps, requestId: string): Promise<AuditRow[]> {
  return deps.sequelize.query<AuditRow>(`SELECT * FROM audit_events WHERE request_id = $1 ORDER BY seq`, {
    bind: [requestId],
    type: QueryTypes.SELECT,
  });
}
