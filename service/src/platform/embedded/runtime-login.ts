import { Client } from 'pg';

// The embedded server's runtime login; local development only, like the owner's password.
const EMBEDDED_RUNTIME_ROLE = 'carewatch_service';
const EMBEDDED_RUNTIME_PASSWORD = 'carewatch-local-service';

/**
 * The login the service runs as on the embedded server: a member of carewatch_app, whose grants the
 * migrations define. The group role is created here when missing (0006 then finds it), so the login
 * exists before the first migration has run. Idempotent: the service and every tool call it.
 */
export async function ensureRuntimeLogin(ownerUrl: string): Promise<string> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'carewatch_app') THEN CREATE ROLE carewatch_app NOLOGIN; END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${EMBEDDED_RUNTIME_ROLE}') THEN
        CREATE ROLE ${EMBEDDED_RUNTIME_ROLE} LOGIN PASSWORD '${EMBEDDED_RUNTIME_PASSWORD}' IN ROLE carewatch_app;
      END IF;
    END $$`);
  } finally {
    await client.end();
  }
  const url = new URL(ownerUrl);
  url.username = EMBEDDED_RUNTIME_ROLE;
  url.password = EMBEDDED_RUNTIME_PASSWORD;
  return url.toString();
}
