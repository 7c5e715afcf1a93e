import type { Config } from '../config';
import { startEmbeddedDatabase } from './embedded/database';
import { liveRecord, recordPath, type EmbeddedRecord } from './embedded/record';
import { ensureRuntimeLogin } from './embedded/runtime-login';

export interface ResolvedDatabase {
  /** The runtime role: data, never DDL. */
  readonly url: string;
  /** The schema owner, for migrations and operator tools. */
  readonly migrationUrl: string;
  readonly embedded: boolean;
  /** Stops the embedded server if this process started it; otherwise does nothing. */
  release(): Promise<void>;
}

const nothingToRelease = async () => undefined;

/** The owner's URL of the embedded server: the one a running process recorded, or one started for this process. */
async function embeddedOwnerUrl(
  dataDir: string,
  log: (line: string) => void,
  role: EmbeddedRecord['owner'],
): Promise<{ ownerUrl: string; release: () => Promise<void> }> {
  const running = await liveRecord(dataDir, log);
  if (running && role === 'tool') {
    log(`using the embedded PostgreSQL on port ${running.port} started by process ${running.ownerPid}`);
    return { ownerUrl: running.url, release: nothingToRelease };
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
  return { ownerUrl: embedded.url, release: () => embedded.stop() };
}

/**
 * DATABASE_URL (and DATABASE_MIGRATION_URL, else the same) when set; otherwise the embedded PostgreSQL
 * under DATA_DIR: the one a running process recorded there (a command-line tool uses the running service's
 * server), or one started for this process. Two services cannot share it: the second is told which process
 * holds it. On the embedded server the service runs as a non-owner login too, and migrates as the owner.
 */
export async function resolveDatabaseUrl(
  config: Config,
  log: (line: string) => void,
  role: EmbeddedRecord['owner'] = 'tool',
): Promise<ResolvedDatabase> {
  const { url, migrationUrl, directUrl, dataDir } = config.database;
  if (url)
    return {
      url,
      migrationUrl: migrationUrl ?? directUrl ?? url,
      embedded: false,
      release: nothingToRelease,
    };
  const { ownerUrl, release } = await embeddedOwnerUrl(dataDir, log, role);
  try {
    return { url: await ensureRuntimeLogin(ownerUrl), migrationUrl: ownerUrl, embedded: true, release };
  } catch (error) {
    // A start that fails here leaves nothing running.
    await release();
    throw error;
  }
}
