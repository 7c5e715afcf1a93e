import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Client } from 'pg';
import { BackupError } from './backup';
import { fingerprint, type DatabaseFingerprint } from './fingerprint';
import { auditChainHead, MANIFEST_FILE, sha256OfFile, type BackupManifest } from './manifest';
import { runTool } from './pg-tools';

export interface RestoreReport {
  readonly manifest: BackupManifest;
  readonly tables: DatabaseFingerprint;
  /** Tables whose count or checksum differs from the manifest (none after a good restore). */
  readonly mismatches: readonly string[];
  readonly auditChainHeadMatches: boolean;
}

/** The group roles the dump's grants name; they belong to the server, so a fresh one may lack them. */
const ENSURE_ROLES = `DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'carewatch_app') THEN CREATE ROLE carewatch_app NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'carewatch_retention') THEN CREATE ROLE carewatch_retention NOLOGIN; END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$`;

async function readManifest(directory: string): Promise<BackupManifest> {
  const manifest = JSON.parse(await readFile(path.join(directory, MANIFEST_FILE), 'utf8')) as BackupManifest;
  if (manifest.format !== 1) throw new BackupError(`unknown manifest format ${String(manifest.format)}`);
  const actual = await sha256OfFile(path.join(directory, manifest.dumpFile));
  if (actual !== manifest.dumpSha256)
    throw new BackupError(`${manifest.dumpFile} does not match its manifest checksum`);
  return manifest;
}

async function refuseNonEmpty(client: Client): Promise<void> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'p', 'v', 'm', 'S')`,
  );
  if (Number(rows[0]?.n) > 0)
    throw new BackupError(
      `${client.database ?? 'the database'} is not empty: restore only into a new, empty database`,
    );
}

/** pg_restore into an EMPTY database, in one transaction, then proof that it holds what the manifest says. */
export async function restore(directory: string, url: string): Promise<RestoreReport> {
  const manifest = await readManifest(directory);
  const client = new Client({ connectionString: url, application_name: 'carewatch-restore' });
  await client.connect();
  try {
    await refuseNonEmpty(client);
    await client.query(ENSURE_ROLES);
    await runTool('pg_restore', [
      '--single-transaction',
      '--exit-on-error',
      '--no-owner',
      `--dbname=${url}`,
      path.join(directory, manifest.dumpFile),
    ]);
    const tables = await fingerprint(client);
    const names = new Set([...Object.keys(manifest.tables), ...Object.keys(tables)]);
    const mismatches = [...names].filter((name) => !isDeepStrictEqual(manifest.tables[name], tables[name]));
    const head = await auditChainHead(client);
    return {
      manifest,
      tables,
      mismatches,
      auditChainHeadMatches: isDeepStrictEqual(head, manifest.auditChainHead),
    };
  } finally {
    await client.end();
  }
}
