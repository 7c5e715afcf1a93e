import { totpCode } from '../../service/src/auth/totp';
import { expectStatus, type SmokeClient } from './client';

/**
 * What a deployment must do before it takes traffic, in the order a person would try it. Each check
 * returns a short detail for the table (never PHI: the synthetic accounts hold made-up data) or throws.
 */
export interface SmokeAccounts {
  readonly patient: { readonly email: string; readonly password: string };
  /** An admin with TOTP enrolled, for GET /v1/admin/audit/verify (which needs aal2); optional. */
  readonly auditor?: { readonly email: string; readonly password: string; readonly totpSecret: string };
}

export interface SmokeCheck {
  readonly name: string;
  run(): Promise<string>;
}

/** Series a healthy instance exports once it has served the requests above. */
export const EXPECTED_SERIES = [
  'http_server_request_duration_seconds_bucket',
  'carewatch_db_pool_connections',
  'carewatch_auth_logins_total',
  'carewatch_audit_events_total',
  'carewatch_consultation_transitions_total',
  'process_cpu_seconds_total',
] as const;

interface Tokens {
  status: string;
  accessToken?: string;
  mfaToken?: string;
}

async function passwordLogin(client: SmokeClient, email: string, password: string): Promise<Tokens> {
  return expectStatus(
    await client.request('POST', '/v1/auth/login', { body: { email, password } }),
    200,
    'login',
  ).body as Tokens;
}

/**
 * The auditor's code is the one for the NEXT 30 s step: the server accepts a step within one of now, each
 * once, so this never collides with a code its enrolment (or a person) used in the current step.
 */
async function auditorToken(client: SmokeClient, auditor: NonNullable<SmokeAccounts['auditor']>) {
  const login = await passwordLogin(client, auditor.email, auditor.password);
  if (login.status !== 'mfa_required' || !login.mfaToken) throw new Error('the auditor has no MFA enrolled');
  const code = totpCode(auditor.totpSecret, Date.now() + 30_000);
  const verified = await client.request('POST', '/v1/auth/mfa/verify', {
    body: { mfaToken: login.mfaToken, code },
  });
  const token = (expectStatus(verified, 200, 'auditor MFA').body as Tokens).accessToken;
  if (!token) throw new Error('auditor MFA: no access token');
  return token;
}

export function smokeChecks(client: SmokeClient, accounts: SmokeAccounts): SmokeCheck[] {
  let patientToken: string | undefined;
  let consultationId: string | undefined;
  const signedIn = () => {
    if (!patientToken) throw new Error('skipped: the login failed');
    return patientToken;
  };
  return [
    {
      name: 'readiness',
      run: async () => `HTTP ${expectStatus(await client.request('GET', '/readyz'), 200, 'readyz').status}`,
    },
    {
      name: 'JWKS',
      run: async () => {
        const jwks = expectStatus(await client.request('GET', '/.well-known/jwks.json'), 200, 'jwks');
        const keys = (jwks.body as { keys?: { kid?: unknown }[] } | undefined)?.keys ?? [];
        if (keys.length === 0 || keys.some((key) => typeof key.kid !== 'string'))
          throw new Error('no signing key with a kid is published');
        return `${keys.length} key(s)`;
      },
    },
    {
      name: 'login (synthetic patient)',
      run: async () => {
        const login = await passwordLogin(client, accounts.patient.email, accounts.patient.password);
        if (login.status !== 'authenticated' || !login.accessToken)
          throw new Error(`login ended as ${login.status}`);
        patientToken = login.accessToken;
        return 'authenticated';
      },
    },
    {
      name: 'consultation request',
      run: async () => {
        const requested = await client.request('POST', '/v1/consultations', {
          token: signedIn(),
          body: { specialty: 'general_practice', reason: 'Synthetic smoke test request' },
        });
        const body = expectStatus(requested, 201, 'request').body as { id?: string; status?: string };
        consultationId = body.id;
        return `status ${body.status ?? '?'}`;
      },
    },
    {
      name: 'consultation cancellation',
      run: async () => {
        if (!consultationId) throw new Error('skipped: no consultation was requested');
        const cancelled = await client.request('POST', `/v1/consultations/${consultationId}/cancel`, {
          token: signedIn(),
          body: {},
        });
        return `status ${(expectStatus(cancelled, 200, 'cancel').body as { status?: string }).status ?? '?'}`;
      },
    },
    {
      name: 'metrics series',
      run: async () => {
        const metrics = expectStatus(await client.request('GET', '/metrics'), 200, 'metrics').text;
        // eslint-disable-next-line security/detect-non-literal-regexp -- built from the constant names above
        const missing = EXPECTED_SERIES.filter((series) => !new RegExp(`^${series}[{ ]`, 'm').test(metrics));
        if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')}`);
        return `${EXPECTED_SERIES.length} series present`;
      },
    },
    {
      name: 'audit verification',
      run: async () => {
        if (!accounts.auditor) throw new Error('no auditor account given (SMOKE_AUDITOR_*)');
        const token = await auditorToken(client, accounts.auditor);
        const verified = await client.request('GET', '/v1/admin/audit/verify', { token });
        const result = expectStatus(verified, 200, 'verify').body as { ok?: boolean; checkedEvents?: number };
        if (result.ok !== true) throw new Error('the audit chain does NOT verify');
        return `ok, ${result.checkedEvents ?? '?'} events checked`;
      },
    },
  ];
}
