import { expect } from 'chai';
import { createTestDatabase, dropDatabase } from '../../service/test/support/environment';
import { createDatabase } from '../../service/src/platform/db';
import { concurrentIndexMigration, sqlMigration, type Migration } from '../migration';
import { createMigrator } from '../migrator';
import { migrations } from '../migrations';
import { runtimeLoginUrl, seedDatabase } from '../test/seeded';
import { startTraffic } from '../test/traffic';

/**
 * CI migrates a small seed; `npm run bench:migrate-under-load` the production-sized one (100,000 patients).
 * The figure is the longest any request waited while the migrations ran; the floor is 1 s.
 */
const PATIENTS = Number(process.env.MIGRATION_LOAD_PATIENTS ?? 5_000);
const FLOOR_MS = 1_000;

/** The kinds of change a release makes, besides the pending migrations: an added column and a new index. */
const EXPANSIONS: readonly Migration[] = [
  sqlMigration(
    'expand_column',
    'ALTER TABLE patients ADD COLUMN preferred_language text;',
    'ALTER TABLE patients DROP COLUMN preferred_language;',
  ),
  concurrentIndexMigration('expand_index', [
    { name: 'consultations_status_requested', on: 'consultations (status, requested_at)' },
  ]),
];

describe(`migrating a seeded database (${PATIENTS} patients) under reads and writes`, function () {
  this.timeout(0);
  let url: string;

  before(async () => {
    url = await createTestDatabase('under_load');
    const started = performance.now();
    await seedDatabase(url, PATIENTS);
    console.log(
      `      seeded ${PATIENTS} patients in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  });
  after(async () => {
    await dropDatabase(url);
  });

  it(`keeps every request's wait under ${FLOOR_MS} ms`, async () => {
    const sequelize = createDatabase({ url, poolMax: 2, statementTimeoutMs: 0 });
    const migrator = createMigrator(sequelize, url);
    try {
      await migrator.down('9');
      const traffic = await startTraffic(await runtimeLoginUrl(url));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const started = performance.now();
      const applied = await migrator.up();
      for (const migration of EXPANSIONS) await migration.up({ context: sequelize });
      for (const migration of [...EXPANSIONS].reverse()) await migration.down({ context: sequelize });
      const migrateMs = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const report = await traffic.stop();
      console.log(
        `      migrations ${[...applied, ...EXPANSIONS.map((m) => m.name)].join(', ')} (up and down) took ${Math.round(migrateMs)} ms; ` +
          `${report.requests} requests, ${report.errors} errors, longest wait ${Math.round(report.longestWaitMs)} ms`,
      );
      expect(applied).to.deep.equal(migrations.slice(9).map((migration) => migration.name));
      expect(report.errors, report.firstError).to.equal(0);
      expect(report.longestWaitMs).to.be.below(FLOOR_MS);
    } finally {
      await sequelize.close();
    }
  });
});
