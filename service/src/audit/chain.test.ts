import { expect } from 'chai';
import { QueryTypes, type Transaction } from 'sequelize';
import { createAuditHarness } from '../../test/support/audit';
import { createTestDatabase, dropDatabase } from '../../test/support/environment';
import { asSuperuser } from '../../test/support/roles';
import { SYSTEM_ACTOR } from './audit-actor';
import { buildCheckpoint, verifyCheckpoint } from './checkpoint';
import { createAuditSealer, type AuditSealer } from './sealer';

describe('the sealed hash chain', () => {
  let url: string;
  let harness: ReturnType<typeof createAuditHarness>;
  let sealer: AuditSealer;

  const record = (n: number) =>
    harness.audit.record({
      actor: SYSTEM_ACTOR,
      action: 'security',
      eventType: 'test.chain',
      resourceType: 'User',
      resourceIds: [`r${n}`],
      outcome: 'success',
    });
  const unsealed = async () =>
    (
      await harness.sequelize.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE seq > (SELECT coalesce(max(last_seq), 0) FROM audit_seals)`,
        { type: QueryTypes.SELECT },
      )
    )[0]!.n;
  /** Seals until nothing is left (a round may wait for transactions elsewhere on the server to end). */
  const sealAll = async () => {
    while ((await unsealed()) > 0) await sealer.sealOnce();
  };
  const seals = () =>
    harness.sequelize.query<{
      block_number: string;
      first_seq: string;
      last_seq: string;
      previous_seal_hash: string;
      seal_hash: string;
      event_count: number;
    }>(
      `SELECT block_number::text, first_seq::text, last_seq::text, previous_seal_hash, seal_hash, event_count FROM audit_seals ORDER BY audit_seals.block_number`,
      { type: QueryTypes.SELECT },
    );
  const recordIn = (transaction: Transaction, eventType: string) =>
    harness.audit.record(
      { actor: SYSTEM_ACTOR, action: 'security', eventType, resourceType: 'User', outcome: 'success' },
      transaction,
    );
  /** While `transaction` is open, sealing stops after the events of beforeEach; once it commits, all are sealed. */
  const expectHeldBackUntilCommitted = async (transaction: Transaction, total: number) => {
    await sealer.sealOnce();
    await sealer.sealOnce();
    expect((await seals()).at(-1)!.last_seq).to.equal('10');
    expect(await harness.metrics.render()).to.match(/carewatch_audit_unsealed_events [1-9]/);
    await transaction.commit();
    await sealAll();
    expect(await harness.audit.verify()).to.include({ ok: true, checkedEvents: total, unsealedEvents: 0 });
  };
  /** Tampering as a superuser would: with the append-only triggers switched off for the session. */
  const tamper = (sql: string) =>
    asSuperuser(url, async (client) => {
      await client.query('SET session_replication_role = replica');
      await client.query(sql);
    });

  beforeEach(async () => {
    url = await createTestDatabase('audit_chain');
    harness = createAuditHarness(url);
    await harness.migrate();
    sealer = createAuditSealer(harness.sequelize, harness.metrics, harness.logger, 4);
    for (let n = 1; n <= 10; n += 1) await record(n);
    await sealAll();
  });

  afterEach(async () => {
    await harness.close();
    await dropDatabase(url);
  });

  it('seals events in blocks, in sequence order, each block covering the previous one', async () => {
    const blocks = await seals();
    expect(blocks.map((block) => [block.first_seq, block.last_seq, block.event_count])).to.deep.equal([
      ['1', '4', 4],
      ['5', '8', 4],
      ['9', '10', 2],
    ]);
    expect(blocks[0]!.previous_seal_hash).to.equal('0'.repeat(64));
    expect(blocks[1]!.previous_seal_hash).to.equal(blocks[0]!.seal_hash);
    expect(blocks[2]!.previous_seal_hash).to.equal(blocks[1]!.seal_hash);
    await record(11);
    const result = await harness.audit.verify();
    expect(result).to.include({
      ok: true,
      checkedEvents: 11,
      sealedBlocks: 3,
      unsealedEvents: 1,
      problem: null,
    });
    const metrics = await harness.metrics.render();
    expect(metrics).to.match(/carewatch_audit_last_verification_success 1/);
    expect(metrics).to.match(/carewatch_audit_last_verification_timestamp_seconds [1-9]/);
  });

  it('hashes each block as SHA-256 over the raw bytes of the previous seal hash and its event hashes', async () => {
    // Recomputed from the stored bytes with a plain SELECT, as an auditor would (the verifier does it in JS).
    const [check] = await harness.sequelize.query<{ blocks: number; matching: number }>(
      `SELECT count(*)::int AS blocks,
              count(*) FILTER (WHERE seal_hash = encode(sha256(decode(previous_seal_hash, 'hex') || (
                SELECT string_agg(decode(event_hash, 'hex'), ''::bytea ORDER BY position)
                  FROM unnest(event_hashes) WITH ORDINALITY AS block (event_hash, position))), 'hex'))::int AS matching
         FROM audit_seals`,
      { type: QueryTypes.SELECT },
    );
    expect(check).to.deep.equal({ blocks: 3, matching: 3 });
  });

  it('never seals past an event whose transaction is still in flight, then seals it once committed', async () => {
    const transaction = await harness.sequelize.transaction();
    const inFlight = await recordIn(transaction, 'test.slow');
    const later = await record(12);
    expect(Number(later.seq)).to.be.greaterThan(Number(inFlight.seq));
    await expectHeldBackUntilCommitted(transaction, 12);
  });

  it('never seals past an in-flight event whose transaction id is newer than every finished one', async () => {
    const older = await harness.sequelize.transaction();
    await harness.sequelize.query('SELECT pg_current_xact_id()', { transaction: older });
    const newer = await harness.sequelize.transaction();
    const held = await recordIn(newer, 'test.held');
    const overtaking = await recordIn(older, 'test.overtaking');
    expect(Number(overtaking.seq)).to.be.greaterThan(Number(held.seq));
    await older.commit();
    await expectHeldBackUntilCommitted(newer, 12);
  });

  it('lets one instance seal at a time, so that concurrent sealers never fork the chain', async () => {
    const otherInstance = createAuditSealer(harness.sequelize, harness.metrics, harness.logger, 4);
    for (let round = 0; round < 5; round += 1) {
      await Promise.all([record(100 + round), record(200 + round), record(300 + round)]);
      await Promise.all([sealer.sealOnce(), otherInstance.sealOnce(), sealer.sealOnce()]);
    }
    await sealAll();
    const blocks = await seals();
    blocks.forEach((block, index) => expect(block.block_number).to.equal(String(index + 1)));
    expect(await harness.audit.verify()).to.include({ ok: true, checkedEvents: 25, unsealedEvents: 0 });
  });

  it('names an altered event', async () => {
    await tamper(`UPDATE audit_events SET actor_role = 'admin' WHERE seq = 6`);
    const { ok, problem } = await harness.audit.verify();
    expect(ok).to.equal(false);
    expect(problem).to.include({ kind: 'altered', seq: '6', blockNumber: '2' });
    expect(await harness.metrics.render()).to.match(/carewatch_audit_last_verification_success 0/);
  });

  it('names a deleted event', async () => {
    await tamper('DELETE FROM audit_events WHERE seq = 3');
    expect((await harness.audit.verify()).problem).to.include({
      kind: 'deleted',
      seq: '3',
      blockNumber: '1',
    });
  });

  it('names an event inserted into a sealed range', async () => {
    // A rolled-back event leaves a gap in the sequence, as happens in production; the forgery fills it.
    const transaction = await harness.sequelize.transaction();
    await recordIn(transaction, 'test.rolled_back');
    await transaction.rollback();
    for (let n = 12; n <= 13; n += 1) await record(n);
    await sealAll();
    await tamper(`INSERT INTO audit_events (seq, actor_role, action, event_type, resource_type, outcome, content_hash)
                  VALUES (11, 'admin', 'read', 'phi.read', 'Patient', 'success', repeat('a', 64))`);
    expect((await harness.audit.verify()).problem).to.include({ kind: 'inserted', seq: '11' });
  });

  it('names a reordered event', async () => {
    await tamper(`UPDATE audit_events SET seq = CASE seq WHEN 5 THEN 7 ELSE 5 END WHERE seq IN (5, 7)`);
    const { problem } = await harness.audit.verify();
    expect(problem).to.include({ kind: 'reordered', seq: '5', blockNumber: '2' });
    expect(problem!.detail).to.contain('7');
  });

  it('finds a rewritten seal', async () => {
    await tamper(`UPDATE audit_seals SET event_hashes[2] = repeat('b', 64) WHERE block_number = 1`);
    expect((await harness.audit.verify()).problem).to.include({ kind: 'seal_altered', blockNumber: '1' });
  });

  it('exports the seals as a signed checkpoint that an auditor can check without the database', async () => {
    const checkpoint = await buildCheckpoint(harness.sequelize, harness.config.audit.checkpointKey);
    expect(checkpoint.payload.seals).to.have.length(3);
    expect(checkpoint.payload.head).to.deep.equal({
      blockNumber: '3',
      sealHash: (await seals())[2]!.seal_hash,
    });
    expect(verifyCheckpoint(JSON.parse(JSON.stringify(checkpoint)) as typeof checkpoint)).to.deep.equal({
      ok: true,
    });

    const edited = {
      ...checkpoint,
      payload: {
        ...checkpoint.payload,
        seals: checkpoint.payload.seals.map((seal, i) =>
          i === 1 ? { ...seal, sealHash: 'c'.repeat(64) } : seal,
        ),
      },
    };
    expect(verifyCheckpoint(edited).ok).to.equal(false);
    const otherKey = (await import('node:crypto'))
      .generateKeyPairSync('ed25519')
      .publicKey.export({ format: 'der', type: 'spki' })
      .toString('base64');
    expect(verifyCheckpoint(checkpoint, otherKey).ok).to.equal(false);
  });
});
