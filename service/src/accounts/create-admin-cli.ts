import { parseArgs } from 'node:util';
import { createPasswordHasher } from '../auth/passwords';
import { securityEventRecorder } from '../auth/security-events';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../observability/logger';
import { resolveDatabaseUrl } from '../platform/database-url';
import { createRuntime } from '../runtime';
import { migrateDatabase } from '../../../db/migrator';
import { BootstrapError, createAdminAccount } from './admin-bootstrap';
import { promptNewPassword } from './password-prompt';

/**
 * npm run admin:create -- --email admin@example.org
 * The password comes from ADMIN_PASSWORD, a prompt on a terminal (typed twice, not echoed), or piped
 * standard input; never a flag: flags land in shell history.
 */
async function readPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  if (process.stdin.isTTY) return promptNewPassword();
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { email: { type: 'string' } } });
  if (!values.email) throw new BootstrapError('Usage: npm run admin:create -- --email <address>');
  const password = await readPassword();
  const config = loadConfig(process.env);
  // A one-shot tool: the service's operational warnings (no Redis, ...) do not concern it.
  const logger = createLogger({ level: 'error' });
  const database = await resolveDatabaseUrl(config, (line) => console.error(line));
  const runtime = createRuntime(config, database.url, logger);
  try {
    await migrateDatabase(database.migrationUrl);
    const user = await createAdminAccount(
      createPasswordHasher(1),
      securityEventRecorder(runtime.audit.record),
      values.email,
      password,
    );
    console.log(`Admin account created: ${user.id}`);
  } finally {
    await runtime.close();
    await database.release();
  }
}

main().catch((error: unknown) => {
  const known = error instanceof BootstrapError || error instanceof ConfigError;
  console.error(
    known ? error.message : `admin:create failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
