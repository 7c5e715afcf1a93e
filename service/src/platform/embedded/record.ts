import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from './postgres-process';

/**
 * Which process runs the embedded PostgreSQL of a DATA_DIR, and where: written by the process that
 * started it, removed when it stops it, so that the command-line tools use the running server instead of
 * starting a second one on the same (locked) data directory.
 */
export interface EmbeddedRecord {
  /** The process that started the server and will stop it. */
  readonly ownerPid: number;
  readonly owner: 'service' | 'tool';
  readonly postgresPid: number;
  readonly port: number;
  readonly url: string;
  readonly startedAt: string;
}

export const RECORD_FILE = 'embedded-postgres.json';

export function recordPath(dataDir: string): string {
  return path.resolve(dataDir, RECORD_FILE);
}

export async function writeRecord(dataDir: string, record: EmbeddedRecord): Promise<void> {
  // 0600: the URL carries the local server's password.
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR's record file; DATA_DIR is given by the operator, never by a request
  await writeFile(recordPath(dataDir), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

export async function removeRecord(dataDir: string): Promise<void> {
  await rm(recordPath(dataDir), { force: true });
}

async function readRecord(dataDir: string): Promise<EmbeddedRecord | undefined> {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR's record file; DATA_DIR is given by the operator, never by a request
    return JSON.parse(await readFile(recordPath(dataDir), 'utf8')) as EmbeddedRecord;
  } catch {
    return undefined;
  }
}

/**
 * The record of a server that still runs, or undefined. A stale record (its owner or its server gone,
 * e.g. after a crash or kill -9) is removed and reported through `log`.
 */
export async function liveRecord(
  dataDir: string,
  log: (line: string) => void,
): Promise<EmbeddedRecord | undefined> {
  const record = await readRecord(dataDir);
  if (!record) return undefined;
  if (isAlive(record.ownerPid) && isAlive(record.postgresPid)) return record;
  log(
    `removed a stale ${RECORD_FILE} (process ${record.ownerPid} that started the embedded PostgreSQL has ended)`,
  );
  await removeRecord(dataDir);
  return undefined;
}

/** The pid of a postmaster running on this data directory (from PostgreSQL's own lock file), if any. */
export async function runningPostmaster(databaseDir: string): Promise<number | undefined> {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the lock file PostgreSQL writes under DATA_DIR, given by the operator
    const [firstLine] = (await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8')).split('\n');
    const pid = Number(firstLine);
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}
