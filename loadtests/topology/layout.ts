import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

/**
 * Where each part of the local topology listens (loopback, ports 15400-15499) and where it keeps its
 * files. One fixed folder per user, so `down` and `status` find what `up` started.
 */
export const HOST = '127.0.0.1';
export const STATE_DIR =
  process.env.TOPOLOGY_DIR ?? path.join(tmpdir(), `carewatch-topology-${userInfo().uid}`);
export const PG_BIN = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
export const DATABASE = 'carewatch';
export const SENTINEL_NAME = 'carewatch';

export const PORTS = {
  haproxy: 15400,
  primary: 15401,
  replica: 15402,
  pgbouncer: 15403,
  haproxyStats: 15404,
  redisPrimary: 15410,
  redisReplica: 15411,
  sentinels: [15412, 15413, 15414],
  instances: [15421, 15422, 15423],
  prometheus: 15490,
} as const;

export const file = (...parts: string[]) => path.join(STATE_DIR, ...parts);
export const postgresUrl = (port: number, database = DATABASE) =>
  `postgres://postgres@${HOST}:${port}/${database}`;
export const baseUrl = `http://${HOST}:${PORTS.haproxy}`;

/** The environment of Carewatch instance `index` (0-based) in the topology. */
export function instanceEnv(index: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'development',
    HOST,
    PORT: String(PORTS.instances[index]),
    DATABASE_URL: postgresUrl(PORTS.pgbouncer),
    DATABASE_POOLER: 'pgbouncer',
    DATABASE_DIRECT_URL: postgresUrl(PORTS.primary),
    DATABASE_REPLICA_URLS: postgresUrl(PORTS.replica),
    DATABASE_POOL_MAX: '10',
    REDIS_SENTINELS: PORTS.sentinels.map((port) => `${HOST}:${port}`).join(','),
    REDIS_SENTINEL_NAME: SENTINEL_NAME,
    TRUST_PROXY: 'true',
    // As in production: HAProxy needs two failed checks a second apart (more on a busy machine) to stop
    // sending requests before the listener closes.
    SHUTDOWN_READINESS_DELAY_MS: '5000',
    LOG_LEVEL: 'warn',
    TRACING_ENABLED: 'false',
    // A load test logs in from one address far more often than a person would.
    RATE_LIMIT_ADDRESS_POINTS: '1000000',
  };
}

export function haproxyEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CW_BIND: HOST,
    CW_HAPROXY_PORT: String(PORTS.haproxy),
    CW_HAPROXY_STATS_PORT: String(PORTS.haproxyStats),
    ...Object.fromEntries(
      PORTS.instances.map((port, index) => [`CW_INSTANCE_${index + 1}_PORT`, String(port)]),
    ),
  };
}
