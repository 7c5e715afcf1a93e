import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { createAdminAccount } from '../../src/accounts/admin-bootstrap';
import { createPasswordHasher } from '../../src/auth/passwords';
import { securityEventRecorder } from '../../src/auth/security-events';
import type { Role } from '../../src/auth/model';
import { totpCode } from '../../src/auth/totp';
import type { Runtime } from '../../src/runtime';
import { contractCheckedHttp } from './contract';

/**
 * Factories for people who can call the API: each creates an account with unique values through the
 * real endpoints and signs it in, so a feature test reaches an authenticated route in one line:
 *
 *   const provider = await createProvider(runtime);
 *   await request(runtime.app.callback()).get('/v1/...').set(provider.headers);
 */
export interface Identity {
  readonly userId: string;
  readonly email: string;
  readonly password: string;
  readonly role: Role;
  accessToken: string;
  refreshToken: string;
  /** `{ Authorization: 'Bearer <accessToken>' }` for supertest's `.set()`. */
  readonly headers: Record<string, string>;
  /** Base32 TOTP secret, for identities with MFA enrolled. */
  readonly totpSecret?: string;
  readonly recoveryCodes?: readonly string[];
  /**
   * A TOTP code not used yet (each code works once) that stays valid for 30 s at least; undefined without
   * MFA. A third code within one 30 s window waits for the next window, so a test that needs it may take
   * up to 30 s longer.
   */
  nextTotpCode(): Promise<string | undefined>;
}

const PERIOD_MS = 30_000;
const unique = (label: string) =>
  `${label}.${Date.now().toString(36)}.${randomBytes(4).toString('hex')}@carewatch.test`;
export const strongPassword = () => `cw-${randomBytes(9).toString('base64url')}-Pw`;

const http = (runtime: Runtime) => contractCheckedHttp(runtime.app);

export function expectStatus(response: request.Response, status: number, what: string): request.Response {
  if (response.status !== status)
    throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
  return response;
}

/**
 * The server takes a code for a step within one of now, each step once and only after the steps already
 * used. A past step is refused as soon as its window turns, so a request sent late in a window and slowed
 * past the turn would fail with it; the current and the next step stay valid for at least 30 s more.
 * So the tracker hands out only those two, in order, and once both are used waits for the next window:
 * an identity gets two codes at once, then one per window.
 */
function totpTracker(secret: string | undefined) {
  let lastStep = -Infinity;
  return async () => {
    if (!secret) return undefined;
    for (;;) {
      const now = Date.now();
      const current = Math.floor(now / PERIOD_MS);
      const step = Math.max(lastStep + 1, current);
      if (step <= current + 1) {
        lastStep = step;
        return totpCode(secret, step * PERIOD_MS);
      }
      // Re-checked after the sleep: a concurrent caller may have taken the step meanwhile.
      await sleep((step - 1) * PERIOD_MS - now);
    }
  };
}

function identity(
  base: Omit<Identity, 'headers' | 'nextTotpCode'>,
  nextTotpCode = totpTracker(base.totpSecret),
): Identity {
  const self: Identity = {
    ...base,
    get headers() {
      return { Authorization: `Bearer ${self.accessToken}` };
    },
    nextTotpCode,
  };
  return self;
}

/** Logs an existing identity in again (completing MFA when it has it); updates and returns its tokens. */
export async function signIn(runtime: Runtime, who: Identity): Promise<Identity> {
  const login = expectStatus(
    await http(runtime).post('/v1/auth/login').send({ email: who.email, password: who.password }),
    200,
    'login',
  );
  let body = login.body as { status: string; accessToken: string; refreshToken: string; mfaToken?: string };
  if (body.status === 'mfa_required') {
    const verify = await http(runtime)
      .post('/v1/auth/mfa/verify')
      .send({ mfaToken: body.mfaToken, code: await who.nextTotpCode() });
    body = expectStatus(verify, 200, 'mfa verify').body as typeof body;
  }
  who.accessToken = body.accessToken;
  who.refreshToken = body.refreshToken;
  return who;
}

async function passwordLogin(runtime: Runtime, email: string, password: string) {
  const response = expectStatus(
    await http(runtime).post('/v1/auth/login').send({ email, password }),
    200,
    'login',
  );
  return response.body as { accessToken: string; refreshToken: string };
}

/** Enrolls TOTP on a signed-in session (which thereby reaches aal2). */
async function enrollTotp(runtime: Runtime, accessToken: string) {
  const auth = { Authorization: `Bearer ${accessToken}` };
  const started = expectStatus(
    await http(runtime).post('/v1/auth/mfa/totp').set(auth).send({}),
    201,
    'mfa enroll',
  );
  const secret = (started.body as { secret: string }).secret;
  const nextTotpCode = totpTracker(secret);
  const confirmed = await http(runtime)
    .post('/v1/auth/mfa/totp/confirm')
    .set(auth)
    .send({ code: await nextTotpCode() });
  const recoveryCodes = (expectStatus(confirmed, 200, 'mfa confirm').body as { recoveryCodes: string[] })
    .recoveryCodes;
  return { secret, recoveryCodes, nextTotpCode };
}

type Account = Pick<Identity, 'userId' | 'email' | 'password' | 'role'>;

/** Logs a new account in with its password and, when asked, enrolls TOTP on that session (aal2). */
async function signedIn(runtime: Runtime, account: Account, withMfa: boolean): Promise<Identity> {
  const tokens = await passwordLogin(runtime, account.email, account.password);
  if (!withMfa) return identity({ ...account, ...tokens });
  const mfa = await enrollTotp(runtime, tokens.accessToken);
  return identity(
    { ...account, ...tokens, totpSecret: mfa.secret, recoveryCodes: mfa.recoveryCodes },
    mfa.nextTotpCode,
  );
}

/**
 * Demographics for a new patient. Plain by default; distinctive (names, phone and birth date that
 * appear nowhere else) while the PHI-leak test runs, so that any copy of them in a log line or an audit
 * event can be found.
 */
let distinctivePhi = false;
let distinctiveCount = 0;
export const DISTINCTIVE_NAME_PREFIXES = ['Zebulonqx', 'Quixottevb'] as const;

export function useDistinctivePhi(on: boolean): void {
  distinctivePhi = on;
}

function demographics() {
  if (!distinctivePhi) {
    return { givenName: 'Test', familyName: 'Patient', dateOfBirth: '1985-04-12', phone: '+14155550123' };
  }
  distinctiveCount += 1;
  const n = String(distinctiveCount).padStart(4, '0');
  return {
    givenName: `${DISTINCTIVE_NAME_PREFIXES[0]}${n}`,
    familyName: `${DISTINCTIVE_NAME_PREFIXES[1]}${n}`,
    dateOfBirth: `1931-02-${String((distinctiveCount % 27) + 1).padStart(2, '0')}`,
    phone: `+1415777${n}`,
  };
}

export interface PatientOverrides {
  readonly email?: string;
  readonly password?: string;
  readonly withMfa?: boolean;
}

export async function createPatient(runtime: Runtime, overrides: PatientOverrides = {}): Promise<Identity> {
  const email = overrides.email ?? unique('patient');
  const password = overrides.password ?? strongPassword();
  const registered = await http(runtime)
    .post('/v1/auth/register')
    .send({
      email,
      password,
      ...demographics(),
    });
  const userId = (expectStatus(registered, 201, 'register').body as { id: string }).id;
  return signedIn(runtime, { userId, email, password, role: 'patient' }, overrides.withMfa ?? false);
}

/**
 * A new admin (created as the admin:create CLI does) with TOTP enrolled, signed in at aal2; with
 * `withMfa: false`, one who has not enrolled yet (aal1).
 */
export async function createAdmin(runtime: Runtime, { withMfa = true } = {}): Promise<Identity> {
  const email = unique('admin');
  const password = strongPassword();
  const user = await createAdminAccount(
    createPasswordHasher(1),
    securityEventRecorder(runtime.audit.record),
    email,
    password,
  );
  return signedIn(runtime, { userId: user.id, email, password, role: 'admin' }, withMfa);
}

/** The token of the invitation an admin-created account received (read from the outbox, as a mailer would). */
export async function invitationToken(runtime: Runtime, userId: string): Promise<string> {
  const message = await runtime.models.OutboxMessage.findOne({
    where: { topic: 'auth.account_invitation', payload: { userId } },
    order: [['id', 'DESC']],
  });
  if (!message) throw new Error('No invitation in the outbox');
  return message.payload.token as string;
}

export interface ProviderOverrides {
  readonly specialty?: string;
  readonly licenseState?: string;
  /** The admin who creates the provider; a new one by default. */
  readonly admin?: Identity;
  /** False for a provider who has not enrolled TOTP yet (signed in at aal1). */
  readonly withMfa?: boolean;
}

/**
 * A staff account (provider or operator) created by an admin, password set from the invitation, TOTP
 * enrolled unless `withMfa` is false, signed in.
 */
async function createStaff(
  runtime: Runtime,
  body: Record<string, string> & { role: 'provider' | 'operator' },
  { admin, withMfa = true }: { admin?: Identity; withMfa?: boolean },
): Promise<Identity> {
  const creator = admin ?? (await createAdmin(runtime));
  const email = unique(body.role);
  const created = await http(runtime)
    .post('/v1/admin/users')
    .set(creator.headers)
    .send({ email, ...body });
  const userId = (expectStatus(created, 201, `create ${body.role}`).body as { id: string }).id;
  const password = strongPassword();
  const confirm = await http(runtime)
    .post('/v1/auth/password-reset/confirm')
    .send({ token: await invitationToken(runtime, userId), newPassword: password });
  expectStatus(confirm, 204, 'set password from invitation');
  return signedIn(runtime, { userId, email, password, role: body.role }, withMfa);
}

/** A provider created by an admin, password set from the invitation, TOTP enrolled, signed in at aal2. */
export function createProvider(runtime: Runtime, overrides: ProviderOverrides = {}): Promise<Identity> {
  return createStaff(
    runtime,
    {
      role: 'provider',
      displayName: 'Dr. Test',
      licenseNumber: `LIC-${randomBytes(5).toString('hex')}`,
      licenseState: overrides.licenseState ?? 'CA',
      specialty: overrides.specialty ?? 'general_practice',
    },
    overrides,
  );
}

/** An operator (the operations console's aggregates, no PHI) created by an admin, at aal2 by default. */
export function createOperator(
  runtime: Runtime,
  overrides: { admin?: Identity; withMfa?: boolean } = {},
): Promise<Identity> {
  return createStaff(runtime, { role: 'operator' }, overrides);
}
