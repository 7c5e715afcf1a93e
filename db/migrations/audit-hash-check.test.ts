import { expect } from 'chai';
import fc from 'fast-check';
import type { Client } from 'pg';
import { createAuditHarness } from '../../service/test/support/audit';
import { createTestDatabase, dropDatabase } from '../../service/test/support/environment';
import { asSuperuser } from '../../service/test/support/roles';
import { createMigrator } from '../migrator';

const CONSTRAINT_DEFINITION = `SELECT pg_get_constraintdef(oid) AS definition, convalidated AS validated
  FROM pg_constraint WHERE conname = 'audit_events_content_hash_check' AND conrelid = 'audit_events'::regclass`;

/** Each text as 0006's check and as 0019's judge it. */
const BOTH_CHECKS = `SELECT t ~ '^[0-9a-f]{64}$' AS regex, length(t) = 64 AND t !~ '[^0-9a-f]' AS scan
  FROM unnest($1::text[]) AS t`;

const HEX = '0123456789abcdef';
const VALID = 'a'.repeat(32) + HEX + HEX;
/** The texts most likely to tell the two checks apart. */
const EDGES = [
  VALID,
  VALID.toUpperCase(),
  VALID.slice(1),
  VALID + '0',
  `${VALID.slice(1)}\n`,
  `\n${VALID.slice(1)}`,
  `${VALID.slice(2)}é`,
  `${VALID.slice(1)} `,
  '',
  'g'.repeat(64),
];

/** Inserts one audit row with its hash as given: the trigger that assigns it is off for the session. */
async function insertWithHash(client: Client, hash: string): Promise<void> {
  await client.query(`SET session_replication_role = replica`);
  try {
    await client.query(
      `INSERT INTO audit_events (seq, actor_role, action, event_type, resource_type, outcome, content_hash)
       VALUES (nextval('audit_events_seq'), 'system', 'security', 'test.hash', 'User', 'success', $1)`,
      [hash],
    );
  } finally {
    await client.query(`RESET session_replication_role`);
  }
}

describe('0019_audit_hash_check: the content hash shape without a bounded regex', function () {
  this.timeout(120_000);
  let url: string;
  let harness: ReturnType<typeof createAuditHarness>;
  const constraint = () =>
    asSuperuser(
      url,
      async (client) =>
        (await client.query<{ definition: string; validated: boolean }>(CONSTRAINT_DEFINITION)).rows[0]!,
    );

  before(async () => {
    url = await createTestDatabase('audit_hash_check');
    harness = createAuditHarness(url);
  });
  after(async () => {
    await harness.close();
    await dropDatabase(url);
  });

  it('accepts exactly the texts the old check accepted', async () => {
    await createMigrator(harness.sequelize, url).up();
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom(...HEX, ...'ABCDEFgz-\n é'), minLength: 62, maxLength: 66 }),
      fc.string({ unit: fc.constantFrom(...HEX), minLength: 63, maxLength: 65 }),
      fc.string({ unit: 'binary', maxLength: 70 }).map((value) => value.replaceAll('\0', '')),
    );
    const texts = [...EDGES, ...fc.sample(text, { numRuns: 2000, seed: 19 })];
    const judged = await asSuperuser(
      url,
      async (client) => (await client.query<{ regex: boolean; scan: boolean }>(BOTH_CHECKS, [texts])).rows,
    );
    expect(judged).to.have.length(texts.length);
    judged.forEach((row, index) => expect(row.scan, JSON.stringify(texts[index])).to.equal(row.regex));
    expect(judged.filter((row) => row.regex).length).to.be.greaterThan(1);
  });

  it('refuses a malformed hash in the table, validated, and its down restores the old check', async () => {
    const migrator = createMigrator(harness.sequelize, url);
    await migrator.up();
    await migrator.down('18');
    const before = await constraint();
    expect(await migrator.up()).to.deep.equal(['0019_audit_hash_check', '0020_audit_hash_check_validated']);
    const after = await constraint();
    expect(after.definition).to.include('length(content_hash) = 64').and.not.equal(before.definition);
    expect(after.validated).to.equal(true);

    await asSuperuser(url, async (client) => {
      await insertWithHash(client, VALID);
      for (const bad of [VALID.toUpperCase(), VALID.slice(1), `${VALID.slice(1)}\n`]) {
        const failure = await insertWithHash(client, bad).then(
          () => undefined,
          (error: { code?: string }) => error,
        );
        expect(failure?.code, JSON.stringify(bad)).to.equal('23514');
      }
    });
    // The hashes the trigger assigns pass it.
    await asSuperuser(url, (client) =>
      client.query(`INSERT INTO audit_events (actor_role, action, event_type, resource_type, outcome)
        VALUES ('system', 'security', 'test.hash', 'User', 'success')`),
    );

    expect(await migrator.down('18')).to.deep.equal([
      '0020_audit_hash_check_validated',
      '0019_audit_hash_check',
    ]);
    expect(await constraint()).to.deep.equal(before);
    await migrator.up();
  });
});
