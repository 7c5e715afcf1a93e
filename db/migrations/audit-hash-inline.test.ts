import { expect } from 'chai';
import fc from 'fast-check';
import type { Client } from 'pg';
import { CANONICAL_FIELDS_SQL, contentHash } from '../../service/src/audit/canonical';
import { createAuditHarness } from '../../service/test/support/audit';
import { createTestDatabase, dropDatabase } from '../../service/test/support/environment';
import { asSuperuser } from '../../service/test/support/roles';
import { createMigrator } from '../migrator';

/** One audit row as a client could insert it; `ago` moves occurred_at back, in microseconds. */
interface Row {
  readonly actorUserId: string | null;
  readonly actorRole: string;
  readonly action: string;
  readonly eventType: string;
  readonly resourceType: string;
  readonly resourceIds: (string | null)[];
  readonly patientIds: string[];
  readonly outcome: string;
  readonly requestId: string | null;
  readonly traceId: string | null;
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  readonly details: string;
  readonly ago: number;
}

const COLUMNS = `actor_user_id, actor_role, action, event_type, resource_type, resource_ids, patient_ids, outcome,
  request_id, trace_id, source_ip, user_agent, details, occurred_at`;
const tuple = (row: number) =>
  `($${row * 14 + 1}::uuid, $${row * 14 + 2}, $${row * 14 + 3}, $${row * 14 + 4}, $${row * 14 + 5},
    $${row * 14 + 6}::text[], $${row * 14 + 7}::uuid[], $${row * 14 + 8}, $${row * 14 + 9}, $${row * 14 + 10},
    $${row * 14 + 11}, $${row * 14 + 12}, $${row * 14 + 13}::jsonb, now() - $${row * 14 + 14}::bigint * interval '1 microsecond')`;
const values = (row: Row) => [
  row.actorUserId,
  row.actorRole,
  row.action,
  row.eventType,
  row.resourceType,
  row.resourceIds,
  row.patientIds,
  row.outcome,
  row.requestId,
  row.traceId,
  row.sourceIp,
  row.userAgent,
  row.details,
  row.ago,
];

const HASHES = `SELECT ${CANONICAL_FIELDS_SQL} AS fields, content_hash,
    encode(sha256(convert_to(audit_canonical(${CANONICAL_FIELDS_SQL}), 'UTF8')), 'hex') AS by_audit_canonical
  FROM audit_events WHERE seq = ANY($1::bigint[])`;

/**
 * Inserts the rows in one multi-row statement, as the recorder's group commit does, and answers each
 * stored row's hash with the hash the verifier computes from its canonical fields and the hash 0006's
 * audit_canonical gives them.
 */
async function insertAndHash(client: Client, rows: readonly Row[]) {
  const inserted = await client.query<{ seq: string }>(
    `INSERT INTO audit_events (${COLUMNS}) VALUES ${rows.map((_, i) => tuple(i)).join(', ')} RETURNING seq::text AS seq`,
    rows.flatMap(values),
  );
  const stored = await client.query<{
    fields: (string | null)[];
    content_hash: string;
    by_audit_canonical: string;
  }>(HASHES, [inserted.rows.map((row) => row.seq)]);
  expect(stored.rows).to.have.length(rows.length);
  return stored.rows.map((row) => ({
    stored: row.content_hash,
    verifier: contentHash(row.fields),
    auditCanonical: row.by_audit_canonical,
  }));
}

const expectAllAgree = (hashes: Awaited<ReturnType<typeof insertAndHash>>) => {
  for (const hash of hashes) {
    expect(hash.stored, "the trigger's hash is the verifier's").to.equal(hash.verifier);
    expect(hash.auditCanonical, "audit_canonical's hash is the verifier's").to.equal(hash.verifier);
  }
};

const PATIENT = '6f1c0d1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f';
const BASE: Row = {
  actorUserId: PATIENT,
  actorRole: 'patient',
  action: 'read',
  eventType: 'phi.read',
  resourceType: 'Patient',
  resourceIds: [PATIENT],
  patientIds: [PATIENT],
  outcome: 'success',
  requestId: 'b6a7f1de-43c2-4a34-9b6c-2f5d1c1e8a90',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  sourceIp: '::ffff:127.0.0.1',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0',
  details: JSON.stringify({ sessionId: 'c0ffee00-0000-4000-8000-000000000001', aal: 'aal1' }),
  ago: 0,
};
/** The rows most likely to tell two formulations apart. */
const EDGE_ROWS: Row[] = [
  BASE,
  {
    ...BASE,
    actorUserId: null,
    actorRole: 'anonymous',
    resourceIds: [],
    patientIds: [],
    requestId: null,
    traceId: null,
    sourceIp: null,
    userAgent: null,
    details: '{}',
  },
  { ...BASE, requestId: '', traceId: '', sourceIp: '', userAgent: '', resourceIds: [''], ago: 123_456 },
  {
    ...BASE,
    userAgent: 'Zürich – 日本語 😀 |-:|'.repeat(300),
    resourceIds: ['a,b', '"q"', '{x}', 'back\\slash', null],
  },
  {
    ...BASE,
    details: JSON.stringify({ nested: { list: [1, null, 'é€😀', true], n: -1.5e-7 }, '|': '-', 'k:1': '' }),
  },
  {
    ...BASE,
    outcome: 'denied',
    action: 'break_glass',
    eventType: 'phi.break_glass',
    details: '"a bare string"',
  },
];

const text = fc.string({ unit: 'binary', maxLength: 40 }).map((value) => value.replaceAll('\0', ''));
const nullable = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });
const arbitraryRow: fc.Arbitrary<Row> = fc.record({
  actorUserId: nullable(fc.uuid()),
  actorRole: fc.constantFrom('patient', 'provider', 'admin', 'operator', 'anonymous', 'system'),
  action: fc.constantFrom('read', 'list', 'create', 'update', 'delete', 'export', 'break_glass', 'security'),
  eventType: fc.stringMatching(/^[a-z_.]{1,30}$/),
  resourceType: fc.stringMatching(/^[A-Za-z]{1,20}$/),
  resourceIds: fc.array(nullable(text), { maxLength: 4 }),
  patientIds: fc.array(fc.uuid(), { maxLength: 3 }),
  outcome: fc.constantFrom('success', 'denied', 'error'),
  requestId: nullable(text),
  traceId: nullable(text),
  sourceIp: nullable(text),
  userAgent: nullable(
    fc.oneof(
      text,
      fc.string({ unit: 'binary', minLength: 200, maxLength: 3000 }).map((v) => v.replaceAll('\0', '')),
    ),
  ),
  details: fc
    .dictionary(text, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 })
    .map((value) => JSON.stringify(value))
    .filter((json) => !json.includes('\\u0000')),
  ago: fc.integer({ min: 0, max: 20 * 86_400 * 1_000_000 }),
});

describe('0018_audit_hash_inline: the insert trigger builds the canonical text inline', function () {
  this.timeout(120_000);
  let url: string;
  let harness: ReturnType<typeof createAuditHarness>;
  const functionDefinition = async () =>
    asSuperuser(url, async (client) => {
      const { rows } = await client.query<{ definition: string }>(
        `SELECT pg_get_functiondef('audit_events_before_insert'::regproc) AS definition`,
      );
      return rows[0]!.definition;
    });

  before(async () => {
    url = await createTestDatabase('audit_hash_inline');
    harness = createAuditHarness(url);
  });
  after(async () => {
    await harness.close();
    await dropDatabase(url);
  });

  it('hashes exactly as 0006 did: rows from before and after verify, and its down restores 0006 exactly', async () => {
    const migrator = createMigrator(harness.sequelize, url);
    await migrator.up('17');
    const before = await functionDefinition();
    const byTrigger0006 = await asSuperuser(url, (client) => insertAndHash(client, EDGE_ROWS));
    expectAllAgree(byTrigger0006);

    expect(await migrator.up('18')).to.deep.equal(['0018_audit_hash_inline']);
    expect(await functionDefinition()).not.to.equal(before);
    const byTrigger0018 = await asSuperuser(url, (client) => insertAndHash(client, EDGE_ROWS));
    expectAllAgree(byTrigger0018);
    expect(await harness.audit.verify()).to.include({ ok: true, checkedEvents: 2 * EDGE_ROWS.length });

    expect(await migrator.down('17')).to.deep.equal(['0018_audit_hash_inline']);
    expect(await functionDefinition()).to.equal(before);
    await migrator.up();
  });

  it('hashes any row, in statements of 1 to 11 rows, exactly as the verifier and audit_canonical do', async () => {
    await asSuperuser(url, (client) =>
      fc.assert(
        fc.asyncProperty(fc.array(arbitraryRow, { minLength: 1, maxLength: 11 }), async (rows) => {
          expectAllAgree(await insertAndHash(client, rows));
        }),
        { numRuns: 150 },
      ),
    );
    expect(await harness.audit.verify()).to.include({ ok: true });
  });
});
