import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { OPENAPI_PATH } from '../src/api-document';
import { castOf, prescriptionOf, type Cast } from './support/clinical-http';
import { api } from './support/http';
import type { Identity } from './support/identities';
import { arbitraryOf } from './support/schema-arbitrary';
import { useTestApp } from './support/test-app';

/**
 * Property-based tests over every documented operation, as every kind of caller, with generated path,
 * query and body: valid ones (from the operation's schemas) and invalid ones. Invariants: never a 5xx,
 * every error is problem+json (and the contract check of every response holds), nothing of the victim
 * patient changes, and no answer carries the victim's PHI.
 *
 * `npm test` runs FUZZ_RUNS (default 2) cases per operation and caller with FUZZ_SEED (default fixed);
 * `npm run fuzz` runs many more.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2);
const SEED = Number(process.env.FUZZ_SEED ?? 17_2026);

type Schema = Record<string, unknown>;
interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly schema: Schema;
}
interface Operation {
  readonly parameters?: Parameter[];
  readonly requestBody?: { content: Record<string, { schema: Schema }> };
}
type Caller = 'anonymous' | 'otherPatient' | 'otherProvider' | 'aal1Provider' | 'admin';
const CALLERS: readonly Caller[] = ['anonymous', 'otherPatient', 'otherProvider', 'aal1Provider', 'admin'];

/** Operations that end the caller's own session: fuzzing them would only fuzz as anonymous afterwards. */
const ENDS_OWN_SESSION = new Set(['post /auth/logout', 'post /auth/logout-all']);

interface Victim {
  readonly ids: readonly string[];
  /** Strings that only an answer about the victim would contain. */
  readonly phi: readonly string[];
}

async function victimOf(app: ReturnType<typeof useTestApp>, cast: Cast): Promise<Victim> {
  const marker = `allergy-${randomBytes(6).toString('hex')}`;
  const current = await api(app.runtime).get('/v1/patients/me').set(cast.patient.headers).expect(200);
  await api(app.runtime)
    .patch('/v1/patients/me')
    .set(cast.patient.headers)
    .set('If-Match', String(current.headers.etag))
    .send({ allergies: [marker], givenName: `Victim${randomBytes(3).toString('hex')}` })
    .expect(200);
  const profile = (await api(app.runtime).get('/v1/patients/me').set(cast.patient.headers).expect(200))
    .body as { givenName: string };
  const prescription = await prescriptionOf(app.runtime, cast);
  return {
    ids: [cast.patient.userId, prescription.id, prescription.consultationId],
    phi: [marker, profile.givenName, cast.patient.email],
  };
}

/** Everything stored about the victim, to compare before and after. */
async function victimState(app: ReturnType<typeof useTestApp>, userId: string): Promise<string> {
  const rows = await app.runtime.sequelize.query(
    `SELECT (SELECT row_to_json(u) FROM (SELECT id, email, status, password_hash FROM users WHERE id = $1) u) AS account,
            (SELECT row_to_json(p) FROM patients p WHERE p.user_id = $1) AS profile,
            (SELECT json_agg(c ORDER BY c.id) FROM consultations c WHERE c.patient_id = $1) AS consultations,
            (SELECT json_agg(r ORDER BY r.id) FROM prescriptions r WHERE r.patient_id = $1) AS prescriptions`,
    { bind: [userId], type: QueryTypes.SELECT },
  );
  return JSON.stringify(rows);
}

describe('fuzzing every operation as every caller (fast-check)', function () {
  this.timeout(600_000);
  const app = useTestApp();
  let cast: Cast;
  let victim: Victim;
  let operations: { method: string; path: string; operation: Operation; server: string }[];

  before(async function () {
    this.timeout(120_000);
    cast = await castOf(app.runtime);
    victim = await victimOf(app, cast);
    const document = (await request(app.runtime.app.callback()).get(OPENAPI_PATH).expect(200)).body as {
      servers: { url: string }[];
      paths: Record<string, Record<string, unknown>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, item]) => {
      const server = (item.servers as { url: string }[] | undefined)?.[0]?.url ?? document.servers[0]!.url;
      return ['get', 'post', 'put', 'patch', 'delete']
        .filter((method) => item[method])
        .map((method) => ({ method, path, operation: item[method] as Operation, server }));
    });
  });

  const who = (caller: Caller): Identity | undefined => (caller === 'anonymous' ? undefined : cast[caller]);

  it('never answers 5xx, answers errors as problem+json, changes nothing of the victim, leaks none of its PHI', async () => {
    const before = await victimState(app, cast.patient.userId);
    const idLike = fc.oneof(
      fc.constantFrom(...victim.ids),
      fc.uuid(),
      fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
    );
    let cases = 0;
    for (const { method, path, operation, server } of operations) {
      for (const caller of CALLERS) {
        if (caller !== 'anonymous' && ENDS_OWN_SESSION.has(`${method} ${path}`)) continue;
        // An admin's writes are administration of other people's accounts by design: its reads are fuzzed.
        if (caller === 'admin' && method !== 'get') continue;
        const parameters = operation.parameters ?? [];
        const pathNames = parameters.filter((p) => p.in === 'path').map((p) => p.name);
        const querySchema = {
          type: 'object',
          properties: Object.fromEntries(
            parameters.filter((p) => p.in === 'query').map((p) => [p.name, p.schema]),
          ),
        };
        const bodySchema = operation.requestBody?.content['application/json']?.schema;
        const input = fc.record({
          params: fc.record(Object.fromEntries(pathNames.map((name) => [name, idLike]))),
          query: fc.oneof(
            arbitraryOf(querySchema),
            fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 3 }),
          ),
          body: bodySchema
            ? fc.oneof(arbitraryOf(bodySchema), fc.jsonValue({ maxDepth: 3 }))
            : fc.constant(undefined),
        });
        await fc.assert(
          fc.asyncProperty(input, async ({ params, query, body }) => {
            cases += 1;
            const url =
              server.replace(/\/$/, '') +
              path.replace(/\{(\w+)\}/g, (_, name: string) =>
                String((params as Record<string, string>)[name]),
              );
            const identity = who(caller);
            const http = api(app.runtime);
            let test = http[method as 'get'](url).query(query as Record<string, string>);
            if (identity) test = test.set(identity.headers);
            // Raw JSON text: a generated body may be a bare number, string or null, which supertest won't encode.
            if (body !== undefined)
              test = test.set('Content-Type', 'application/json').send(JSON.stringify(body));
            const response = await test;
            const where = `${caller} ${method.toUpperCase()} ${url}`;
            expect(response.status, where).to.be.below(500);
            if (response.status >= 400) expect(response.type, where).to.equal('application/problem+json');
            for (const phi of victim.phi) expect(response.text, `${where} leaks PHI`).not.to.include(phi);
          }),
          { seed: SEED, numRuns: RUNS, endOnFailure: true },
        );
      }
    }
    expect(await victimState(app, cast.patient.userId)).to.equal(before);
    expect(cases).to.be.greaterThan(operations.length);
  });
});
