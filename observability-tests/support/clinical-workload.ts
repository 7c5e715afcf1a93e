import { SPECIALTY, createCast, type Cast } from '../../service/test/support/clinical-http';
import { createPatient, signIn, type Identity } from '../../service/test/support/identities';
import { createLinkedUser, type FakeIdentityProvider } from '../../service/test/support/identity-provider';
import type { Specialty } from '../../service/src/providers/model';
import type { Runtime } from '../../service/src/runtime';
import { ANONYMOUS_STEPS, JSON_HEADERS, send, type WorkloadStep } from './workload';

// The signed-in part of the workload: the clinical journey of DESIGN.md over HTTP, round after round, by
// a cast of real accounts created once, plus the security events (lockout, refresh-token reuse, an
// expired request) that happen once before the rounds start: their counters keep their series after.

export interface WorkloadContext {
  readonly runtime: Runtime;
  readonly cast: Cast;
  /** An access token the external identity provider issued to a linked account. */
  readonly externalToken: string;
}

/**
 * Settings of the observed runtime: trust `identityProvider` (so its key fetch and circuit breaker
 * exist), and make the one-off events cheap to produce.
 */
export const workloadOverrides = (identityProvider: FakeIdentityProvider): NodeJS.ProcessEnv => ({
  SUPABASE_ISSUER: identityProvider.issuer,
  SUPABASE_JWKS_URL: identityProvider.jwksUrl,
  // A reused refresh token counts as reuse at once, not only after the usual grace for retries.
  REFRESH_REUSE_GRACE_SECONDS: '0',
  // Long enough for every round to accept its request first; short enough that a sweep at the expiry
  // time of one request touches no request of another test that is still waiting.
  CONSULTATION_REQUEST_TTL: '10',
});

interface Call {
  readonly method?: string;
  readonly path: string;
  /** Who calls; anonymous without. */
  readonly as?: Pick<Identity, 'headers'>;
  readonly json?: object;
  readonly status: number;
}

/** One JSON request of a step; resolves to the answer's body. */
function call(baseUrl: string, step: string, { method, path, as, json, status }: Call) {
  const headers: Record<string, string> = { ...(as?.headers ?? {}) };
  if (json !== undefined) Object.assign(headers, JSON_HEADERS);
  return send(baseUrl, step, {
    method: method ?? (json === undefined ? 'GET' : 'POST'),
    path,
    headers,
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    status,
  }) as Promise<Record<string, unknown>>;
}

type Run = (
  call: (spec: Call) => Promise<Record<string, unknown>>,
  context: WorkloadContext,
) => Promise<void>;

/** A step whose requests are named after it in the error that a wrong status throws. */
const step = (name: string, run: Run): WorkloadStep<WorkloadContext> => ({
  name,
  run: (baseUrl, context) => run((spec) => call(baseUrl, name, spec), context),
});

const stepUp = (as: Identity) => ({
  path: '/v1/auth/step-up',
  as,
  json: { password: as.password },
  status: 200,
});
const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
const idOf = (body: Record<string, unknown>) => body.id as string;

const signInAndRefresh = step('patient signs in and refreshes', async (api, { cast: { patient } }) => {
  const tokens = await api({
    path: '/v1/auth/login',
    json: { email: patient.email, password: patient.password },
    status: 200,
  });
  const refreshed = await api({
    path: '/v1/auth/refresh',
    json: { refreshToken: tokens.refreshToken },
    status: 200,
  });
  patient.accessToken = refreshed.accessToken as string;
  patient.refreshToken = refreshed.refreshToken as string;
});

const consultation = step('a consultation from request to prescription', async (api, { cast }) => {
  const { patient, provider } = cast;
  const requested = await api({
    path: '/v1/consultations',
    as: patient,
    json: { specialty: SPECIALTY, reason: 'Sore throat for three days' },
    status: 201,
  });
  const consultationPath = `/v1/consultations/${idOf(requested)}`;
  await api({ path: `${consultationPath}/accept`, as: provider, json: {}, status: 200 });
  await api({ path: `${consultationPath}/start`, as: provider, json: {}, status: 200 });
  // Writing a prescription needs a recent proof of identity.
  await api(stepUp(provider));
  const prescription = await api({
    path: '/v1/prescriptions',
    as: provider,
    json: {
      consultationId: idOf(requested),
      medication: 'Amoxicillin 500 mg',
      dosage: 'One capsule three times a day',
      quantity: 21,
    },
    status: 201,
  });
  await api({ path: `/v1/prescriptions/${idOf(prescription)}/send`, as: provider, json: {}, status: 200 });
  await api({ path: `/v1/prescriptions/${idOf(prescription)}/fill`, as: provider, json: {}, status: 200 });
  // Completed, so the patient never reaches the limit of open requests however many rounds run.
  await api({
    path: `${consultationPath}/complete`,
    as: provider,
    json: { outcome: 'prescribed', notes: 'Likely bacterial; antibiotics prescribed.' },
    status: 200,
  });
});

const patientReads = step('patient reads their own record', async (api, { cast: { patient } }) => {
  for (const path of ['/v1/patients/me', '/v1/patients/me/consultations', '/v1/patients/me/prescriptions'])
    await api({ path, as: patient, status: 200 });
});

const providerReads = step('provider reads the patient and the queue', async (api, { cast }) => {
  await api({ path: `/v1/patients/${cast.patient.userId}`, as: cast.provider, status: 200 });
  await api({ path: '/v1/providers/me/queue', as: cast.provider, status: 200 });
  await api({ path: '/v1/prescriptions', as: cast.provider, status: 200 });
});

const strangerRefused = step('a provider with no relationship is refused', async (api, { cast }) => {
  await api({ path: `/v1/patients/${cast.patient.userId}`, as: cast.otherProvider, status: 404 });
});

const adminWork = step(
  'admin reads reports, breaks the glass and verifies the trail',
  async (api, { cast }) => {
    const today = new Date().toISOString().slice(0, 10);
    for (const report of ['volume', 'specialties', 'provider-response'])
      await api({
        path: `/v1/admin/reports/${report}?from=${today}&to=${today}`,
        as: cast.admin,
        status: 200,
      });
    await api(stepUp(cast.admin));
    await api({
      path: `/v1/admin/patients/${cast.patient.userId}/break-glass`,
      as: cast.admin,
      json: { reason: 'Emergency department needs the allergy list' },
      status: 200,
    });
    await api({ path: '/v1/admin/audit/verify', as: cast.admin, status: 200 });
  },
);

const externalSignIn = step('an account of the identity provider calls the API', async (api, context) => {
  await api({ path: '/v1/me', as: bearer(context.externalToken), status: 200 });
});

export const ROUND_STEPS: readonly WorkloadStep<WorkloadContext>[] = [
  ...ANONYMOUS_STEPS,
  signInAndRefresh,
  consultation,
  patientReads,
  providerReads,
  strangerRefused,
  adminWork,
  externalSignIn,
];

const lockout = step('failed logins lock an account out', async (api, { runtime }) => {
  const victim = await createPatient(runtime);
  const attempt = { path: '/v1/auth/login', json: { email: victim.email, password: 'not-the-password-1' } };
  for (let failures = 0; failures < runtime.config.auth.rateLimits.accountFailures; failures += 1)
    await api({ ...attempt, status: 401 });
  await api({ ...attempt, status: 429 });
});

const refreshReuse = step('a rotated refresh token is presented again', async (api, { runtime }) => {
  const holder = await createPatient(runtime);
  const rotated = { path: '/v1/auth/refresh', json: { refreshToken: holder.refreshToken } };
  await api({ ...rotated, status: 200 });
  await api({ ...rotated, status: 401 });
});

/**
 * A request of `patient` in `specialty` that nobody accepts, expired by the sweeper's tick run just past
 * its expiry rather than waited for (the answer rounds the stored microseconds down to milliseconds).
 */
export async function expireRequest(
  baseUrl: string,
  runtime: Runtime,
  patient: Identity,
  specialty: Specialty,
): Promise<void> {
  const requested = await call(baseUrl, 'a request nobody accepts expires', {
    path: '/v1/consultations',
    as: patient,
    json: { specialty, reason: 'Rash on the forearm' },
    status: 201,
  });
  const expiresAt = Date.parse(requested.expiresAt as string);
  const expired = await runtime.clinical.expiry.sweepOnce(new Date(expiresAt + 1));
  if (!expired?.some((row) => row.id === idOf(requested))) throw new Error('the request did not expire');
}

const expiredRequest: WorkloadStep<WorkloadContext> = {
  name: 'a request nobody accepts expires',
  run: async (baseUrl, { runtime }) =>
    expireRequest(baseUrl, runtime, await createPatient(runtime), SPECIALTY),
};

const mfaSignIn = step('provider signs in with a second factor', async (_api, { runtime, cast }) => {
  await signIn(runtime, cast.provider);
});

const ONCE_STEPS: readonly WorkloadStep<WorkloadContext>[] = [
  lockout,
  refreshReuse,
  expiredRequest,
  mfaSignIn,
];

/**
 * Creates the cast and an account linked to `identityProvider`, and produces the one-off events; resolves
 * to what every round needs.
 */
export async function prepareWorkload(
  runtime: Runtime,
  baseUrl: string,
  identityProvider: FakeIdentityProvider,
): Promise<WorkloadContext> {
  const { subject } = await createLinkedUser(runtime);
  const externalToken = await identityProvider.sign(subject, { kid: await identityProvider.addKey('ES256') });
  const context = { runtime, cast: await createCast(runtime), externalToken };
  for (const once of ONCE_STEPS) await once.run(baseUrl, context);
  return context;
}
