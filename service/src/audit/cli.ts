import { readFile, writeFile } from 'node:fs/promises';
import { loadConfig } from '../config';
import { createLogger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { createDatabase } from '../platform/db';
import { resolveDatabaseUrl } from '../platform/database-url';
import { verifyCheckpoint, type SignedCheckpoint } from './checkpoint';
import { createAuditTrail, type AuditTrail } from './trail';

const USAGE = `usage: npm run audit:verify
       npm run audit:checkpoint [-- --out FILE]        writes a signed checkpoint of the seal chain
       npm run audit:checkpoint -- --check FILE [--public-key BASE64]   checks one, without the database
       npm run audit:maintain                          creates the coming months' partitions
       npm run audit:retention                         drops partitions older than AUDIT_RETENTION_YEARS`;

function option(argv: readonly string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
}

const commands: Record<string, (trail: AuditTrail, argv: readonly string[]) => Promise<number>> = {
  async verify(trail) {
    const result = await trail.verify();
    console.log(JSON.stringify(result, null, 2));
    return result.ok ? 0 : 1;
  },
  async checkpoint(trail, argv) {
    const checkpoint = await trail.checkpoint();
    const file =
      option(argv, '--out') ?? `audit-checkpoint-${checkpoint.payload.issuedAt.replaceAll(':', '-')}.json`;
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is given by the operator or the deployment, never by a request
    await writeFile(file, `${JSON.stringify(checkpoint, null, 2)}\n`, { mode: 0o644 });
    console.log(
      `wrote ${file}: ${checkpoint.payload.seals.length} seals, head ${checkpoint.payload.head?.sealHash ?? 'none'}`,
    );
    return 0;
  },
  async maintain(trail) {
    console.log(`created ${await trail.ensurePartitions()} partitions`);
    return 0;
  },
  async retention(trail) {
    const dropped = await trail.dropExpiredPartitions();
    console.log(
      dropped.length ? `dropped: ${dropped.join(', ')}` : 'no partition is past the retention period',
    );
    return 0;
  },
};

/** Checking a checkpoint needs no database and no configuration: an auditor runs it anywhere. */
async function checkCheckpoint(file: string, publicKey: string | undefined): Promise<number> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is given by the operator or the deployment, never by a request
  const checkpoint = JSON.parse(await readFile(file, 'utf8')) as SignedCheckpoint;
  const result = verifyCheckpoint(checkpoint, publicKey);
  console.log(
    result.ok
      ? `valid: ${checkpoint.payload.seals.length} seals, head ${checkpoint.payload.head?.sealHash ?? 'none'}`
      : `INVALID: ${result.reason}`,
  );
  return result.ok ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const checkFile = option(rest, '--check');
  if (name === 'checkpoint' && checkFile) return checkCheckpoint(checkFile, option(rest, '--public-key'));
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.log.level });
  const database = await resolveDatabaseUrl(config, (line) => console.error(line));
  // As the owner: retention drops partitions, which the runtime role may not.
  const sequelize = createDatabase({ url: database.migrationUrl, poolMax: 2, statementTimeoutMs: 0 });
  try {
    return await command(createAuditTrail(sequelize, config, createMetrics(), logger), rest);
  } finally {
    await sequelize.close();
    await database.release();
    logger.end();
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
