import { loadConfig } from '../service/src/config';
import { createDatabase } from '../service/src/platform/db';
import { resolveDatabaseUrl } from '../service/src/platform/database-url';
import { formatPlan } from './plan';
import { createMigrator } from './migrator';

const USAGE = 'usage: npm run db:migrate -- up | down [--to N] | status | plan';

function isValid([command, flag, position]: string[]): boolean {
  if (command === 'up' || command === 'status' || command === 'plan') return flag === undefined;
  return command === 'down' && (flag === undefined || (flag === '--to' && /^\d+$/.test(position ?? '')));
}

async function main(argv: string[]): Promise<void> {
  if (!isValid(argv)) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const [command, , position] = argv;
  const config = loadConfig(process.env);
  const database = await resolveDatabaseUrl(config, (line) => console.error(line));
  // The owner's URL (DATABASE_MIGRATION_URL, else DATABASE_DIRECT_URL past a pooler, else DATABASE_URL).
  const sequelize = createDatabase({ url: database.migrationUrl, poolMax: 2, statementTimeoutMs: 0 });
  const migrator = createMigrator(sequelize, database.migrationUrl);
  try {
    if (command === 'up') {
      const applied = await migrator.up();
      console.log(
        applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply: the schema is up to date',
      );
    } else if (command === 'plan') {
      const pending = await migrator.plan();
      console.log(pending.length ? formatPlan(pending) : '-- nothing to apply: the schema is up to date');
    } else if (command === 'down') {
      const reverted = await migrator.down(position);
      console.log(reverted.length ? `reverted: ${reverted.join(', ')}` : 'nothing to revert');
    } else {
      const { executed, pending } = await migrator.status();
      for (const name of executed) console.log(`up       ${name}`);
      for (const name of pending) console.log(`pending  ${name}`);
    }
  } finally {
    await sequelize.close();
    await database.release();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
