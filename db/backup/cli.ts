/**
 * npm run db:backup -- --out DIR      pg_dump (custom format) + manifest.json (row counts, checksums,
 *                                     audit chain head) of the database, from one snapshot
 * npm run db:restore -- --from DIR    into the EMPTY database of DATABASE_MIGRATION_URL (else DATABASE_URL),
 *                                     then checks counts, checksums and the audit chain head; exit 1 otherwise
 * Both connect as the owner (DATABASE_MIGRATION_URL); see db/backup/RUNBOOK.md.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../service/src/config';
import { resolveDatabaseUrl } from '../../service/src/platform/database-url';
import { backup } from './backup';
import { restore } from './restore';

const USAGE = 'usage: npm run db:backup -- --out DIR | npm run db:restore -- --from DIR';

async function main(command: string | undefined, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, from: { type: 'string' } },
  });
  const directory = command === 'backup' ? values.out : command === 'restore' ? values.from : undefined;
  if (!directory) {
    console.error(USAGE);
    return 2;
  }
  const database = await resolveDatabaseUrl(loadConfig(process.env), (line) => console.error(line));
  try {
    const started = performance.now();
    const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
    if (command === 'backup') {
      const manifest = await backup(database.migrationUrl, directory);
      const rows = Object.values(manifest.tables).reduce((sum, table) => sum + table.rows, 0);
      console.log(
        `backed up ${Object.keys(manifest.tables).length} tables, ${rows} rows, in ${seconds()} s to ${directory}`,
      );
      console.log(`audit chain head: ${JSON.stringify(manifest.auditChainHead)}`);
      return 0;
    }
    const report = await restore(directory, database.migrationUrl);
    for (const [name, table] of Object.entries(report.tables))
      console.log(
        `${report.mismatches.includes(name) ? 'MISMATCH' : 'ok      '}  ${name.padEnd(24)} ${table.rows}`,
      );
    console.log(
      `audit chain head ${report.auditChainHeadMatches ? 'matches' : 'DOES NOT match'} the manifest`,
    );
    const ok = report.mismatches.length === 0 && report.auditChainHeadMatches;
    console.log(ok ? `restored and verified in ${seconds()} s` : 'restore FAILED verification');
    return ok ? 0 : 1;
  } finally {
    await database.release();
  }
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
