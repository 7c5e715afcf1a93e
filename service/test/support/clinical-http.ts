import type Router from '@koa/router';
import { QueryTypes } from 'sequelize';
import type { ConsultationStatus } from '../../src/consultations/model';
import { declaredRoutes } from '../../src/platform/route-metadata';
import type { Specialty } from '../../src/providers/model';
import type { Runtime } from '../../src/runtime';
import { createConsultation } from './clinical-factories';
import { api } from './http';
import { createAdmin, createPatient, createProvider, type Identity } from './identities';

/**
 * The people of a clinical HTTP test: a patient and their provider, a stranger of each role (another
 * patient; a provider of another specialty who has no relationship with anyone here), an admin, and a
 * provider whose session lacks the second factor.
 */
export interface Cast {
  readonly patient: Identity;
  readonly otherPatient: Identity;
  readonly provider: Identity;
  readonly otherProvider: Identity;
  readonly admin: Identity;
  readonly aal1Provider: Identity;
}
export type CallerName = keyof Cast | 'anonymous';

export const SPECIALTY: Specialty = 'general_practice';
export const OTHER_SPECIALTY: Specialty = 'dermatology';

export async function createCast(runtime: Runtime): Promise<Cast> {
  const admin = await createAdmin(runtime);
  const [patient, otherPatient, provider, otherProvider, aal1Provider] = await Promise.all([
    createPatient(runtime),
    createPatient(runtime),
    createProvider(runtime, { admin, specialty: SPECIALTY }),
    createProvider(runtime, { admin, specialty: OTHER_SPECIALTY }),
    createProvider(runtime, { admin, specialty: SPECIALTY }),
  ]);
  await changeSession(runtime, aal1Provider, `aal = 'aal1'`);
  return { patient, otherPatient, provider, otherProvider, admin, aal1Provider };
}

export const headersOf = (cast: Cast, caller: CallerName): Record<string, string> =>
  caller === 'anonymous' ? {} : cast[caller].headers;

/** The session behind an identity's access token, as GET /v1/me reports it. */
async function sessionIdOf(runtime: Runtime, who: Identity): Promise<string> {
  const me = await api(runtime).get('/v1/me').set(who.headers);
  return (me.body as { session: { id: string } }).session.id;
}

/**
 * Changes an identity's session in the database (e.g. its assurance level or when it last stepped up),
 * and drops the cached copy so the next request sees the change, as the session store itself does.
 */
export async function changeSession(runtime: Runtime, who: Identity, assignments: string): Promise<void> {
  const sessionId = await sessionIdOf(runtime, who);
  await runtime.sequelize.query(`UPDATE sessions SET ${assignments} WHERE id = $1`, { bind: [sessionId] });
  await runtime.sessions.forget([sessionId]);
}

/** Makes the identity's last proof of identity ten minutes old: past any step-up window. */
export const expireStepUp = (runtime: Runtime, who: Identity) =>
  changeSession(runtime, who, `step_up_at = now() - interval '10 minutes'`);

/** A fresh step-up with the password (TOTP codes are scarce: about three per identity per 30 s). */
export async function stepUp(runtime: Runtime, who: Identity): Promise<void> {
  const response = await api(runtime)
    .post('/v1/auth/step-up')
    .set(who.headers)
    .send({ password: who.password });
  if (response.status !== 200)
    throw new Error(`step-up: ${response.status} ${JSON.stringify(response.body)}`);
}

/** A consultation of the cast's patient in `status`, assigned to the cast's provider once accepted. */
export function consultationIn(runtime: Runtime, cast: Cast, status: ConsultationStatus): Promise<string> {
  return createConsultation(runtime.models, cast.patient.userId, {
    status,
    specialty: SPECIALTY,
    providerId: status === 'requested' ? null : cast.provider.userId,
  });
}

/** A prescription written over HTTP by the cast's provider on an in-progress consultation. */
export async function prescriptionOf(
  runtime: Runtime,
  cast: Cast,
): Promise<{ id: string; consultationId: string }> {
  const consultationId = await consultationIn(runtime, cast, 'in_progress');
  // Writing needs a step-up within five minutes; a cast may be older than that in a long run.
  await stepUp(runtime, cast.provider);
  const response = await api(runtime).post('/v1/prescriptions').set(cast.provider.headers).send({
    consultationId,
    medication: 'Amoxicillin 500 mg',
    dosage: 'One capsule three times a day',
    quantity: 21,
  });
  if (response.status !== 201) throw new Error(`write: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: (response.body as { id: string }).id, consultationId };
}

/** One stored row's status and version, to check that a refused request changed nothing. */
export async function statusOf(runtime: Runtime, table: 'consultations' | 'prescriptions', id: string) {
  const [row] = await runtime.sequelize.query<{ status: string; version: number }>(
    `SELECT status, version FROM ${table} WHERE id = $1`,
    { bind: [id], type: QueryTypes.SELECT },
  );
  return row;
}

const casts = new WeakMap<Runtime, Promise<Cast>>();

/** One cast per runtime, for callers that only need someone in each role (e.g. the PHI route cases). */
export function castOf(runtime: Runtime): Promise<Cast> {
  let cast = casts.get(runtime);
  if (!cast) casts.set(runtime, (cast = createCast(runtime)));
  return cast;
}

/** The answers of a route that only the record's own provider may take: strangers learn nothing (404). */
export const ONLY_ITS_PROVIDER: Readonly<Record<CallerName, number>> = {
  patient: 403,
  otherPatient: 403,
  provider: 200,
  otherProvider: 404,
  admin: 403,
  aal1Provider: 403,
  anonymous: 401,
};

/** Every route of a router as `METHOD /path`, to check that an authorization table has a row for each. */
export const routeNamesOf = (router: Router): string[] =>
  declaredRoutes(router).flatMap((route) => route.methods.map((method) => `${method} ${route.path}`));

/**
 * A PHI route case's call: the cast's provider posts to `path` with the request id; the event must name
 * the cast's patient.
 */
export async function postAsProvider(
  runtime: Runtime,
  cast: Cast,
  path: string,
  requestId: string,
  body: object = {},
): Promise<{ status: number; patientId: string }> {
  const response = await api(runtime)
    .post(path)
    .set(cast.provider.headers)
    .set('X-Request-Id', requestId)
    .send(body);
  return { status: response.status, patientId: cast.patient.userId };
}
