import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { createDatabase, type DatabaseOptions } from './db';

export interface ReplicaSettings {
  readonly urls: readonly string[];
  /** A replica further behind than this leaves rotation until it catches up. */
  readonly maxLagMs: number;
  readonly checkIntervalMs: number;
}

export interface ReplicaSet {
  /** The next replica in rotation (round robin), or undefined when none is: read from the primary then. */
  pick(): Sequelize | undefined;
  /** True when a configured replica is out of rotation (reads that would go there use the primary). */
  degraded(): boolean;
  /** Takes a replica out of rotation at once, when a read on it found it gone; the next check decides again. */
  markUnreachable(sequelize: Sequelize): void;
  /** Measures every replica once and updates the rotation; the monitor calls it every interval. */
  check(): Promise<void>;
  start(): void;
  close(): Promise<void>;
}

/*
 * Lag is how far replay trails what the replica has seen happen on the primary: zero while everything
 * received is replayed (an idle primary is not lag), else the age of the last replayed transaction.
 * Received can read behind replayed: a restarted replica streams again from the start of its WAL
 * segment and, while the primary writes nothing, reports that start as received.
 * A server that is not in recovery is no replica (a promoted one, a wrong URL): it leaves rotation.
 */
const LAG_SQL = `SELECT pg_is_in_recovery() AS in_recovery,
  CASE WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
       ELSE GREATEST(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()))::float8 END AS lag_seconds`;

interface LagRow {
  in_recovery: boolean;
  lag_seconds: number | null;
}

export function createReplicaSet(
  settings: ReplicaSettings,
  database: Omit<DatabaseOptions, 'url'>,
  metrics: Metrics,
  logger: Logger,
): ReplicaSet {
  const replicas = settings.urls.map((url, index) => ({
    // An index, never the URL: labels stay bounded and carry no host names or credentials.
    label: String(index),
    sequelize: createDatabase({ ...database, url, applicationName: 'carewatch-replica-reader' }),
    inRotation: false,
  }));
  let next = 0;
  let timer: NodeJS.Timeout | undefined;

  const measure = async (replica: (typeof replicas)[number]) => {
    let lagSeconds = Number.POSITIVE_INFINITY;
    try {
      const [row] = await replica.sequelize.query<LagRow>(LAG_SQL, { type: QueryTypes.SELECT });
      if (row?.in_recovery) lagSeconds = row.lag_seconds ?? 0;
    } catch {
      // Unreachable: out of rotation, with the lag shown as unknown (NaN is not exported as a value).
    }
    const inRotation = lagSeconds * 1000 <= settings.maxLagMs;
    if (inRotation !== replica.inRotation)
      logger.warn(inRotation ? 'replica back in rotation' : 'replica out of rotation', {
        replica: replica.label,
        lagSeconds: Number.isFinite(lagSeconds) ? lagSeconds : null,
      });
    replica.inRotation = inRotation;
    metrics.db.replicaLag.set({ replica: replica.label }, Number.isFinite(lagSeconds) ? lagSeconds : -1);
    metrics.db.replicaInRotation.set({ replica: replica.label }, inRotation ? 1 : 0);
  };

  const check = async () => {
    await Promise.all(replicas.map(measure));
  };

  return {
    pick() {
      const live = replicas.filter((replica) => replica.inRotation);
      if (live.length === 0) return undefined;
      next = (next + 1) % live.length;
      return live[next]?.sequelize;
    },
    check,
    degraded: () => replicas.some((replica) => !replica.inRotation),
    markUnreachable(sequelize) {
      const replica = replicas.find((candidate) => candidate.sequelize === sequelize);
      if (!replica?.inRotation) return;
      replica.inRotation = false;
      metrics.db.replicaInRotation.set({ replica: replica.label }, 0);
      logger.warn('replica out of rotation', { replica: replica.label, lagSeconds: null });
    },
    start() {
      if (timer || replicas.length === 0) return;
      void check();
      timer = setInterval(() => void check(), settings.checkIntervalMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await Promise.allSettled(replicas.map((replica) => replica.sequelize.close()));
    },
  };
}
