import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { runId } from '../../service/test/support/environment';

const run = promisify(execFile);

/** Migrates `url` and fills it with the synthetic seed, exactly as `npm run db:seed` does. */
export async function seedDatabase(url: string, patients: number, providers = Math.max(8, patients / 50)) {
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      'db/seed/cli.ts',
      '--patients',
      String(patients),
      '--providers',
      String(Math.round(providers)),
    ],
    { env: { ...process.env, DATABASE_URL: url }, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A login role of this test run in carewatch_app, as a deployment's runtime login is: `url` with that
 * user. The test server trusts local connections, so it needs no password.
 */
const loginRole = `carewatch_test_login_${runId}`.toLowerCase();

export async function runtimeLoginUrl(ownerUrl: string): Promise<string> {
  const role = loginRole;
  await withClient(ownerUrl, (client) =>
    client.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
        CREATE ROLE ${role} LOGIN IN ROLE carewatch_app;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`),
  );
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = '';
  return url.toString();
}

/** Roles belong to the server, not a database: the run's login is dropped when its test ends. */
export async function dropRuntimeLogin(ownerUrl: string): Promise<void> {
  await withClient(ownerUrl, (client) => client.query(`DROP ROLE IF EXISTS ${loginRole}`));
}

/** Every privilege in the schema, as text: tables, sequences, functions, the schema and default privileges. */
export async function privileges(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ line: string }>(`
    SELECT 'relation ' || c.relname || ' ' || coalesce(c.relacl::text, '-') AS line
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
    UNION ALL
    SELECT 'function ' || p.oid::regprocedure::text || ' ' || coalesce(p.proacl::text, '-')
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
    UNION ALL
    SELECT 'schema public ' || coalesce(nspacl::text, '-') FROM pg_namespace WHERE nspname = 'public'
    UNION ALL
    SELECT 'default ' || d.defaclobjtype::text || ' ' || d.defaclacl::text FROM pg_default_acl d
    ORDER BY 1`);
  return rows.map((row) => row.line);
}
