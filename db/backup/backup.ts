import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import { fingerprint } from './fingerprint';
import {
  auditChainHead,
  DUMP_FILE,
  lastMigration,
  MANIFEST_FILE,
  sha256OfFile,
  type BackupManifest,
} from './manifest';
import { runTool, toolMajor } from './pg-tools';

export class BackupError extends Error {}

async function emptyOrNew(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  if ((await readdir(directory)).length > 0) throw new BackupError(`${directory} is not empty`);
}

/**
 * pg_dump (custom format) plus a manifest, both of ONE snapshot: the manifest's counts, checksums and audit
 * chain head are read in the transaction whose exported snapshot pg_dump dumps, so they describe exactly
 * the rows in the dump even while the service keeps writing.
 */
export async function backup(url: string, directory: string): Promise<BackupManifest> {
  await emptyOrNew(directory);
  const client = new Client({ connectionString: url, application_name: 'carewatch-backup' });
  await client.connect();
  try {
    const server = await client.query<{ server_version: string; major: string }>(
      `SELECT current_setting('server_version') AS server_version, current_setting('server_version_num')::int / 10000 AS major`,
    );
    const serverVersion = server.rows[0]?.server_version ?? '?';
    const dumpMajor = await toolMajor('pg_dump');
    if (dumpMajor < Number(server.rows[0]?.major))
      throw new BackupError(
        `pg_dump ${dumpMajor} cannot dump server ${serverVersion}: set PG_BIN to a newer client`,
      );
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot =
      (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]?.id ?? '';
    const dumpFile = path.join(directory, DUMP_FILE);
    const dumping = runTool('pg_dump', [
      '--format=custom',
      `--snapshot=${snapshot}`,
      `--file=${dumpFile}`,
      `--dbname=${url}`,
    ]);
    const tables = await fingerprint(client);
    const head = await auditChainHead(client);
    const migration = await lastMigration(client);
    await dumping;
    await chmod(dumpFile, 0o600);
    await client.query('COMMIT');
    const manifest: BackupManifest = {
      format: 1,
      createdAt: new Date().toISOString(),
      database: client.database ?? '',
      serverVersion,
      dumpFile: DUMP_FILE,
      dumpSha256: await sha256OfFile(dumpFile),
      lastMigration: migration,
      tables,
      auditChainHead: head,
    };
    await writeFile(path.join(directory, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, {
      mode: 0o600,
    });
    return manifest;
  } finally {
    await client.end();
  }
}
