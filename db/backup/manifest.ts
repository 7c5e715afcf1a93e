import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ClientBase } from 'pg';
import type { DatabaseFingerprint } from './fingerprint';

/** Written beside the dump: what a restore must reproduce, and how to tell that it did. */
export interface BackupManifest {
  readonly format: 1;
  readonly createdAt: string;
  readonly database: string;
  readonly serverVersion: string;
  readonly dumpFile: string;
  readonly dumpSha256: string;
  /** The newest applied migration: a restore is served only by code that knows it. */
  readonly lastMigration: string | null;
  readonly tables: DatabaseFingerprint;
  readonly auditChainHead: AuditChainHead;
}

/** The last sealed block of the audit hash chain and the last event: a restore must end exactly there. */
export interface AuditChainHead {
  readonly lastBlock: number | null;
  readonly lastSealHash: string | null;
  readonly lastEventSeq: number | null;
}

export const MANIFEST_FILE = 'manifest.json';
export const DUMP_FILE = 'carewatch.dump';

export async function auditChainHead(client: ClientBase): Promise<AuditChainHead> {
  const seal = await client.query<{ block: string; hash: string }>(
    'SELECT block_number::text AS block, seal_hash AS hash FROM audit_seals ORDER BY block_number DESC LIMIT 1',
  );
  const event = await client.query<{ seq: string | null }>('SELECT max(seq)::text AS seq FROM audit_events');
  const seq = event.rows[0]?.seq;
  return {
    lastBlock: seal.rows[0] ? Number(seal.rows[0].block) : null,
    lastSealHash: seal.rows[0]?.hash ?? null,
    lastEventSeq: seq ? Number(seq) : null,
  };
}

export async function lastMigration(client: ClientBase): Promise<string | null> {
  const { rows } = await client.query<{ name: string }>(
    'SELECT name FROM schema_migrations ORDER BY name DESC LIMIT 1',
  );
  return rows[0]?.name ?? null;
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
