import { expect } from 'chai';
import type { Model, ModelStatic } from 'sequelize';
import { Client } from 'pg';
import { createTestDatabase, dropDatabase } from '../service/test/support/environment';
import { useTestApp } from '../service/test/support/test-app';
import { createDatabase } from '../service/src/platform/db';
import { concurrentIndexMigration, sqlMigration, type Migration } from './migration';
import { contractProblems, migrationProblems } from './migration-rules';
import { migrations } from './migrations';

/** Applied in production before the rules were written; never edited, so checked for their timeouts only. */
const APPLIED_BEFORE_THE_RULES = migrations.slice(0, 9).map((migration) => migration.name);

const problemsOf = (migration: Migration) => migrationProblems(migration, { applied: false });

describe('the rules for migrations (db/migrations/README.md)', function () {
  this.timeout(60_000);
  const app = useTestApp();

  it('hold for every migration in db/migrations', async () => {
    expect(APPLIED_BEFORE_THE_RULES.at(-1)).to.equal('0009_break_glass_reasons');
    const mapped = new Set(
      Object.values(app.runtime.sequelize.models as Record<string, ModelStatic<Model>>).flatMap((model) =>
        Object.values(model.getAttributes()).map((a) => `${model.getTableName() as string}.${a.field}`),
      ),
    );
    for (const migration of migrations) {
      const applied = APPLIED_BEFORE_THE_RULES.includes(migration.name);
      const problems = [...migrationProblems(migration, { applied }), ...contractProblems(migration, mapped)];
      expect(problems, migration.name).to.deep.equal([]);
    }
  });

  it('refuse an index built in a transaction on a table that already holds rows', () => {
    const bad = sqlMigration(
      'bad',
      'CREATE INDEX patients_phone ON patients (phone);',
      'DROP INDEX patients_phone;',
    );
    expect(problemsOf(bad))
      .to.have.length(1)
      .and.match(/index on existing table patients/);
    const fine = sqlMigration(
      'fine',
      'CREATE TABLE notes (id int); CREATE INDEX notes_id ON notes (id);',
      '',
    );
    expect(problemsOf(fine)).to.deep.equal([]);
    const concurrent = concurrentIndexMigration('fine', [{ name: 'patients_phone', on: 'patients (phone)' }]);
    expect(problemsOf(concurrent)).to.deep.equal([]);
    expect(concurrent.statements.up.join('\n')).to.include(
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS patients_phone',
    );
  });

  it('refuse CONCURRENTLY in a transaction, and anything else outside one', () => {
    const inside = sqlMigration('bad', 'CREATE INDEX CONCURRENTLY x ON patients (phone);', '');
    expect(problemsOf(inside).join('\n')).to.match(/CONCURRENTLY inside a transaction/);
    const outside: Migration = {
      ...concurrentIndexMigration('bad', []),
      statements: {
        up: ["SET SESSION lock_timeout = '500ms'", "SET SESSION statement_timeout = '1min'", 'DROP TABLE x'],
        down: [],
      },
    };
    expect(problemsOf(outside).join('\n')).to.match(/outside a transaction but is not a concurrent index/);
  });

  it('refuse drops, renames and type changes that the previous release would trip over', () => {
    const problems = problemsOf(
      sqlMigration(
        'bad',
        `ALTER TABLE patients DROP COLUMN phone; ALTER TABLE patients RENAME COLUMN family_name TO surname;
         ALTER TABLE consultations ALTER COLUMN reason TYPE varchar(200); DROP TABLE outbox;
         ALTER TABLE providers RENAME TO clinicians;`,
        '',
      ),
    );
    expect(problems).to.have.length(5);
    const declared = sqlMigration('contract', 'ALTER TABLE patients DROP COLUMN phone;', '', {
      contract: ['patients.phone'],
    });
    expect(problemsOf(declared)).to.deep.equal([]);
    expect(contractProblems(declared, new Set(['patients.phone']))).to.deep.equal([
      'drops patients.phone, which the current code still reads',
    ]);
  });

  it('refuse validating constraints and NOT NULL columns on existing tables under lock', () => {
    const problems = problemsOf(
      sqlMigration(
        'bad',
        `ALTER TABLE consultations ADD CONSTRAINT reason_short CHECK (length(reason) < 500);
         ALTER TABLE patients ADD COLUMN region text NOT NULL;`,
        '',
      ),
    );
    expect(problems).to.have.length(2);
    const fine = sqlMigration(
      'fine',
      `ALTER TABLE consultations ADD CONSTRAINT reason_short CHECK (length(reason) < 500) NOT VALID;
       ALTER TABLE patients ADD COLUMN region text NOT NULL DEFAULT 'unknown';`,
      '',
    );
    expect(problemsOf(fine)).to.deep.equal([]);
  });

  it('refuse a migration that could wait for a lock longer than 1 s', () => {
    const slow = sqlMigration('slow', 'SELECT 1;', 'SELECT 1;', { timeouts: { lockTimeout: '5s' } });
    expect(problemsOf(slow)).to.deep.equal(['lock_timeout 5s is longer than 1000 ms']);
  });

  it('a migration blocked by a long transaction gives up its lock request instead of queueing traffic, then retries', async () => {
    const url = await createTestDatabase('locktimeout');
    const holder = new Client({ connectionString: url });
    const reader = new Client({ connectionString: url });
    const sequelize = createDatabase({ url, poolMax: 2, statementTimeoutMs: 60_000 });
    try {
      await Promise.all([holder.connect(), reader.connect()]);
      await holder.query('CREATE TABLE visits (id int); INSERT INTO visits VALUES (1)');
      // A long report: it holds ACCESS SHARE, which the migration's ALTER TABLE must wait for.
      await holder.query('BEGIN; SELECT count(*) FROM visits');
      const migration = sqlMigration('expand', 'ALTER TABLE visits ADD COLUMN note text;', '');
      const migrating = migration.up({ context: sequelize });
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Behind the migration's pending ACCESS EXCLUSIVE request, this read waits until the request is given up.
      const started = performance.now();
      await reader.query('SELECT count(*) FROM visits');
      const readerWaitedMs = performance.now() - started;
      setTimeout(() => void holder.query('COMMIT'), 1_000);
      await migrating;
      const columns = await reader.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'visits'`,
      );
      expect(columns.rows.map((row: { column_name: string }) => row.column_name)).to.include('note');
      console.log(`      a read queued behind the blocked migration waited ${Math.round(readerWaitedMs)} ms`);
      expect(readerWaitedMs).to.be.below(1_000);
    } finally {
      await Promise.allSettled([holder.end(), reader.end(), sequelize.close()]);
      await dropDatabase(url);
    }
  });
});
