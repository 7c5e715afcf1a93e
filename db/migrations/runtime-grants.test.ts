import { expect } from 'chai';
import { createTestDatabase, dropDatabase } from '../../service/test/support/environment';
import { fingerprint } from '../backup/fingerprint';
import { migrateDatabase } from '../migrator';
import { privileges, runtimeLoginUrl, seedDatabase, withClient } from '../test/seeded';
import { createDatabase } from '../../service/src/platform/db';
import { createMigrator } from '../migrator';

const refusal = (client: { query(sql: string): Promise<unknown> }, sql: string) =>
  client.query(sql).then(
    () => 'allowed',
    (error: { code?: string }) => error.code,
  );

describe('0010_runtime_grants on a seeded copy', function () {
  this.timeout(180_000);
  let url: string;

  before(async () => {
    url = await createTestDatabase('grants');
    await seedDatabase(url, 2_000, 40);
  });
  after(async () => {
    await dropDatabase(url);
  });

  async function withMigrator<T>(work: (migrator: ReturnType<typeof createMigrator>) => Promise<T>) {
    const sequelize = createDatabase({ url, poolMax: 2, statementTimeoutMs: 0 });
    try {
      return await work(createMigrator(sequelize, url));
    } finally {
      await sequelize.close();
    }
  }
  const migrateTo = (position: string) => withMigrator((migrator) => migrator.down(position));

  it('keeps every row, narrows the runtime role to exactly its needs, and its down restores the grants exactly', async () => {
    await migrateTo('9');
    const before = await withClient(url, async (client) => ({
      data: await fingerprint(client),
      grants: await privileges(client),
    }));
    expect(before.data.patients?.rows).to.equal(2_000);

    // Only 0010: the later migrations change the outbox's columns, which the fingerprint would see.
    expect(await withMigrator((migrator) => migrator.up('10'))).to.deep.equal(['0010_runtime_grants']);
    const after = await withClient(url, async (client) => ({
      data: await fingerprint(client),
      grants: await privileges(client),
    }));
    const { schema_migrations: historyBefore, ...dataBefore } = before.data;
    const { schema_migrations: historyAfter, ...dataAfter } = after.data;
    expect(dataAfter).to.deep.equal(dataBefore);
    expect(historyAfter?.rows).to.equal((historyBefore?.rows ?? 0) + 1);
    expect(after.grants.filter((line) => !before.grants.includes(line))).to.deep.equal([
      'relation schema_migrations {postgres=arwdDxt/postgres,carewatch_app=r/postgres}',
    ]);

    const runtime = await runtimeLoginUrl(url);
    await withClient(runtime, async (client) => {
      await client.query('BEGIN');
      expect(
        await refusal(
          client,
          `UPDATE patients SET phone = phone WHERE user_id IN (SELECT user_id FROM patients LIMIT 5)`,
        ),
      ).to.equal('allowed');
      expect(await refusal(client, 'SELECT count(*) FROM consultations')).to.equal('allowed');
      expect(await refusal(client, 'SELECT count(*) FROM audit_events')).to.equal('allowed');
      await client.query('ROLLBACK');
      expect(await refusal(client, 'SELECT count(*) FROM schema_migrations')).to.equal('allowed');
      expect(await refusal(client, `INSERT INTO schema_migrations (name) VALUES ('9999_forged')`)).to.equal(
        '42501',
      );
      expect(await refusal(client, 'DELETE FROM schema_migrations')).to.equal('42501');
      expect(await refusal(client, 'UPDATE audit_events SET outcome = outcome')).to.equal('42501');
      expect(await refusal(client, 'CREATE TABLE smuggled (id int)')).to.equal('42501');
      expect(await refusal(client, 'ALTER TABLE patients ADD COLUMN smuggled text')).to.equal('42501');
      expect(await refusal(client, 'DROP TABLE outbox')).to.equal('42501');
      expect(await refusal(client, 'TRUNCATE sessions')).to.equal('42501');
    });

    await migrateTo('9');
    const restored = await withClient(url, (client) => privileges(client));
    expect(restored).to.deep.equal(before.grants);
    await migrateDatabase(url);
  });
});
