import type { Config } from '../config';
import { startEmbeddedDatabase } from './embedded/database';
import { liveRecord, recordPath, type EmbeddedRecord } from './embedded/record';

export interface ResolvedDatabase {
  readonly url: string;
  readonly embedded: boolean;
  /** Stops the embedded server if this process started it; otherwise does nothing. */
  release(): Promise<void>;
}

const nothingToRelease = async () => undefined;

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL under DATA_DIR: the one a running process
 * recorded there (a command-line tool uses the running service's server), or one started for this process.
 * Two services cannot share it: the second is told which process holds it.
 */
export async function resolveDatabaseUrl(
  config: Config,
  log: (line: string) => void,
  role: EmbeddedRecord['owner'] = 'tool',
): Promise<ResolvedDatabase> {
  if (config.database.url) return { url: config.database.url, embedded: false, release: nothingToRelease };
  const { dataDir } = config.database;
  const running = await liveRecord(dataDir, log);
  if (running && role === 'tool') {
    log(`using the embedded PostgreSQL on port ${running.port} started by process ${running.ownerPid}`);
    return { url: running.url, embedded: true, release: nothingToRelease };
  }
  if (running) {
    throw new Error(
      `the embedded PostgreSQL of DATA_DIR=${dataDir} is already run by process ${running.ownerPid} ` +
        `(a ${running.owner}, see ${recordPath(dataDir)}): stop that process first, or give this one ` +
        'its own DATA_DIR, or set DATABASE_URL',
    );
  }
  const embedded = await startEmbeddedDatabase(dataDir, log, { owner: role }).catch((error: unknown) => {
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(
      `could not start the embedded PostgreSQL under ${dataDir}/postgres: ${cause}\n` +
        'If another PostgreSQL holds that folder, stop it; or set DATABASE_URL to a server of your own.',
    );
  });
  return { url: embedded.url, embedded: true, release: () => embedded.stop() };
}
