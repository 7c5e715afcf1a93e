import { Client } from 'pg';
import { runId } from './environment';

/**
 * A login role for this run that is a member of the given group role, like the service's production
 * user. Roles are cluster-wide, so the name carries the run id and the role is dropped afterwards.
 */
export async function createLoginRole(
  adminUrl: string,
  groupRole: string,
  /** Tells two logins of one group apart within a run. */
  label: string = groupRole,
): Promise<{ url: (databaseUrl: string) => string; drop: () => Promise<void> }> {
  const name = `carewatch_test_${label}_${runId}`.toLowerCase();
  await asSuperuser(adminUrl, (client) => client.query(`CREATE ROLE "${name}" LOGIN IN ROLE ${groupRole}`));
  return {
    url: (databaseUrl) => {
      const url = new URL(databaseUrl);
      url.username = name;
      url.password = '';
      return url.toString();
    },
    drop: async () => {
      await asSuperuser(adminUrl, (client) => client.query(`DROP ROLE IF EXISTS "${name}"`));
    },
  };
}

/** Runs SQL as the server's superuser in one database. */
export async function asSuperuser<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
