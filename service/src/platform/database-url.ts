import type { Config } from '../config';
import { startEmbeddedDatabase } from './embedded-db';

export interface ResolvedDatabase {
  readonly url: string;
  readonly embedded: boolean;
  release(): Promise<void>;
}

/** DATABASE_URL when set; otherwise the embedded PostgreSQL under DATA_DIR, started for this process. */
export async function resolveDatabaseUrl(
  config: Config,
  log: (line: string) => void,
): Promise<ResolvedDatabase> {
  if (config.database.url)
    return { url: config.database.url, embedded: false, release: async () => undefined };
  const embedded = await startEmbeddedDatabase(config.database.dataDir, log);
  return { url: embedded.url, embedded: true, release: () => embedded.stop() };
}
