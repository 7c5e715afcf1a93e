import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client } from 'pg';
import { urlFor } from '../../service/test/support/environment';
import { asSuperuser, createLoginRole } from '../../service/test/support/roles';

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

/** Runs `work` on one connection to `url`, as whoever the URL names. */
export const withClient = asSuperuser;

let runtimeLogin: ReturnType<typeof createLoginRole> | undefined;

/**
 * A login role of this test run in carewatch_app, as a deployment's runtime login is: `url` with that
 * user. The test server trusts local connections, so it needs no password. Created once per run.
 */
export async function runtimeLoginUrl(databaseUrl: string): Promise<string> {
  runtimeLogin ??= createLoginRole(urlFor('postgres'), 'carewatch_app', 'runtime_login');
  return (await runtimeLogin).url(databaseUrl);
}

/** Roles belong to the server, not a database: the run's login (if it made one) is dropped as the run ends. */
export async function dropRuntimeLogin(): Promise<void> {
  const login = runtimeLogin;
  runtimeLogin = undefined;
  await (await login?.catch(() => undefined))?.drop();
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
  // PostgreSQL 17 (the embedded server) gives owners MAINTAIN ('m') too; 15 has no such privilege. The
  // listing reads the same on both, so the expected grants do not depend on the server's version.
  return rows.map((row) => row.line.replaceAll('=arwdDxtm/', '=arwdDxt/'));
}
