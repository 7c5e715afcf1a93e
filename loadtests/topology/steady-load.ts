import { randomBytes } from 'node:crypto';
import { baseUrl } from './layout';

/** One request of the steady load: when it ran, what it was, how it ended. */
export interface Outcome {
  readonly kind: 'phi_read' | 'list' | 'consultation_request' | 'login';
  readonly idempotent: boolean;
  readonly startedAt: number;
  readonly endedAt: number;
  /** HTTP status, or 0 when no response came (connection refused, reset, timeout). */
  readonly status: number;
  /** The id of a consultation the service acknowledged (201): it must exist after the drill. */
  readonly createdId?: string;
}

export const failed = (outcome: Outcome) => outcome.status === 0 || outcome.status >= 500;

interface Patient {
  readonly email: string;
  readonly password: string;
  readonly headers: Record<string, string>;
}

// Node's fetch keeps connections to HAProxy alive, as a browser or a mobile client would.
const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
};

export async function registerPatients(count: number): Promise<Patient[]> {
  const patients: Patient[] = [];
  for (let index = 0; index < count; index++) {
    const email = `drill.${Date.now().toString(36)}.${randomBytes(4).toString('hex')}@carewatch.test`;
    const password = `cw-${randomBytes(9).toString('base64url')}-Pw`;
    const registered = await call(
      'POST',
      '/v1/auth/register',
      {},
      {
        email,
        password,
        givenName: 'Drill',
        familyName: 'Patient',
        dateOfBirth: '1980-01-01',
      },
    );
    if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
    const login = await call('POST', '/v1/auth/login', {}, { email, password });
    if (login.status !== 200) throw new Error(`login answered ${login.status}`);
    patients.push({
      email,
      password,
      headers: { Authorization: `Bearer ${String(login.json.accessToken)}` },
    });
  }
  return patients;
}

/** A realistic mix: mostly PHI reads and lists, some consultation requests, a few logins. */
async function oneRequest(patient: Patient, draw: number): Promise<Outcome> {
  const startedAt = Date.now();
  const kind: Outcome['kind'] =
    draw < 0.55 ? 'phi_read' : draw < 0.85 ? 'list' : draw < 0.95 ? 'consultation_request' : 'login';
  const idempotent = kind === 'phi_read' || kind === 'list';
  try {
    const response =
      kind === 'phi_read'
        ? await call('GET', '/v1/patients/me', patient.headers)
        : kind === 'list'
          ? await call('GET', '/v1/patients/me/consultations', patient.headers)
          : kind === 'consultation_request'
            ? await call('POST', '/v1/consultations', patient.headers, {
                specialty: 'general_practice',
                reason: 'Drill: a persistent cough',
              })
            : await call('POST', '/v1/auth/login', {}, { email: patient.email, password: patient.password });
    const createdId = response.status === 201 ? String(response.json.id) : undefined;
    return {
      kind,
      idempotent,
      startedAt,
      endedAt: Date.now(),
      status: response.status,
      ...(createdId ? { createdId } : {}),
    };
  } catch {
    return { kind, idempotent, startedAt, endedAt: Date.now(), status: 0 };
  }
}

/** Sends `ratePerSecond` requests a second, open loop (a slow answer does not slow the arrivals). */
export function startSteadyLoad(patients: readonly Patient[], ratePerSecond: number) {
  const outcomes: Outcome[] = [];
  const pending = new Set<Promise<void>>();
  let sent = 0;
  const startedAt = Date.now();
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - startedAt) / 1000) * ratePerSecond) - sent;
    for (let index = 0; index < due; index++) {
      const patient = patients[sent % patients.length]!;
      sent++;
      const request = oneRequest(patient, Math.random()).then((outcome) => {
        outcomes.push(outcome);
        pending.delete(request);
      });
      pending.add(request);
    }
  }, 10);
  return {
    outcomes,
    async stop(): Promise<void> {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}
