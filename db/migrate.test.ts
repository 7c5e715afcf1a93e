import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import {
  createTestDatabase as createScratchDatabase,
  dropDatabase,
} from '../service/test/support/environment';
import { createDatabase } from '../service/src/platform/db';
import { createMigrator } from './migrator';
import { migrations } from './migrations';
import { schemaSnapshot } from './test/introspect';

const run = promisify(execFile);

function migrateCli(url: string, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'db/migrate.ts', ...args], {
    env: { ...process.env, DATABASE_URL: url },
  });
}

async function withScratchDatabase(purpose: string, work: (url: string) => Promise<void>): Promise<void> {
  const url = await createScratchDatabase(purpose);
  try {
    await work(url);
  } finally {
    await dropDatabase(url);
  }
}

describe('migrations', function () {
  this.timeout(120_000);

  it('round-trip: down to zero and up again gives the identical schema', () =>
    withScratchDatabase('roundtrip', async (url) => {
      const sequelize = createDatabase({ url, poolMax: 2, statementTimeoutMs: 60_000 });
      const migrator = createMigrator(sequelize, url);
      try {
        await migrator.up();
        const first = await schemaSnapshot(sequelize);
        expect(first.some((line) => line.startsWith('relation audit_events_'))).to.equal(true);

        const reverted = await migrator.down('0');
        expect(reverted).to.have.length(migrations.length);
        const empty = await schemaSnapshot(sequelize);
        expect(
          empty.filter((line) => line.startsWith('relation ') && !line.includes('schema_migrations')),
        ).to.deep.equal([]);

        await migrator.up();
        expect(await schemaSnapshot(sequelize)).to.deep.equal(first);
      } finally {
        await sequelize.close();
      }
    }));

  it('down --to N leaves the schema at migration N, and a second up is a no-op', () =>
    withScratchDatabase('downto', async (url) => {
      const sequelize = createDatabase({ url, poolMax: 2, statementTimeoutMs: 60_000 });
      const migrator = createMigrator(sequelize, url);
      try {
        await migrator.up();
        expect(await migrator.up()).to.deep.equal([]);
        await migrator.down('2');
        const status = await migrator.status();
        expect(status.executed).to.deep.equal(migrations.slice(0, 2).map((m) => m.name));
        const tables = await sequelize.query<{ tablename: string }>(
          `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`,
          {
            type: QueryTypes.SELECT,
          },
        );
        expect(tables.map((t) => t.tablename))
          .to.include('patients')
          .and.not.include('consultations');
      } finally {
        await sequelize.close();
      }
    }));

  it('two processes running `up` at once apply each migration exactly once', () =>
    withScratchDatabase('concurrent', async (url) => {
      const results = await Promise.all([migrateCli(url, 'up'), migrateCli(url, 'up')]);
      const outputs = results.map((result) => result.stdout);
      expect(outputs.filter((out) => out.includes('applied:'))).to.have.length(1);
      expect(outputs.filter((out) => out.includes('nothing to apply'))).to.have.length(1);

      const { stdout } = await migrateCli(url, 'status');
      expect(stdout.trim().split('\n')).to.deep.equal(migrations.map((m) => `up       ${m.name}`));
    }));

  it('plan prints the SQL of the pending migrations, with their timeouts, and applies nothing', () =>
    withScratchDatabase('plan', async (url) => {
      await migrateCli(url, 'up');
      await migrateCli(url, 'down', '--to', '8');
      const { stdout } = await migrateCli(url, 'plan');
      const pending = migrations.slice(8).map((m) => m.name);
      for (const name of pending) expect(stdout).to.include(`-- ${name} (`);
      expect(stdout).not.to.include('0008_provider_worklist');
      expect(stdout).to.match(
        /BEGIN;\nSET LOCAL lock_timeout = '500ms';\nSET LOCAL statement_timeout = '1min';\n/,
      );
      expect(stdout).to.include('CREATE TABLE break_glass_reasons');
      const status = await migrateCli(url, 'status');
      for (const name of pending) expect(status.stdout).to.include(`pending  ${name}`);
      await migrateCli(url, 'up');
      expect((await migrateCli(url, 'plan')).stdout).to.include('nothing to apply');
    }));

  it('the CLI refuses an unknown command with its usage', async () => {
    const failure = await migrateCli('postgres://postgres@127.0.0.1:1/none', 'sideways').then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).to.equal(2);
    expect(failure?.stderr).to.include('usage:');
  });
});
