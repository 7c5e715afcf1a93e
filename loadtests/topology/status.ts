import { Redis } from 'ioredis';
import { Client } from 'pg';
import { portInUse } from '../../service/test/support/replicated-postgres';
import { DATABASE, HOST, PORTS, SENTINEL_NAME, baseUrl, postgresUrl } from './layout';

export interface PartStatus {
  readonly part: string;
  readonly port: number;
  readonly healthy: boolean;
  readonly detail: string;
}

async function postgres(port: number): Promise<string> {
  const client = new Client({ connectionString: postgresUrl(port, DATABASE), connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery');
    return rows[0]?.recovery ? 'replica (in recovery)' : 'primary';
  } finally {
    await client.end();
  }
}

async function redisRole(port: number): Promise<string> {
  const client = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
  });
  // A refused connection rejects connect() below; without a listener ioredis would also print it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    if (PORTS.sentinels.includes(port as never)) {
      const master = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME)) as string[];
      return `sentinel; primary at ${master.join(':')}`;
    }
    const info = await client.info('replication');
    return /role:(\w+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    client.disconnect();
  }
}

async function http(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`${response.status}`);
  const text = await response.text();
  return text.startsWith('{') ? text : `${response.status}`;
}

const check = async (part: string, port: number, probe: () => Promise<string>): Promise<PartStatus> => {
  try {
    return { part, port, healthy: true, detail: await probe() };
  } catch (error) {
    return { part, port, healthy: false, detail: error instanceof Error ? error.message : String(error) };
  }
};

/** Each part of the topology, and whether it answers as it should. */
export function topologyStatus(): Promise<PartStatus[]> {
  return Promise.all([
    check('postgresql primary', PORTS.primary, () => postgres(PORTS.primary)),
    check('postgresql replica', PORTS.replica, () => postgres(PORTS.replica)),
    check('pgbouncer', PORTS.pgbouncer, () => postgres(PORTS.pgbouncer)),
    check('redis', PORTS.redisPrimary, () => redisRole(PORTS.redisPrimary)),
    check('redis', PORTS.redisReplica, () => redisRole(PORTS.redisReplica)),
    ...PORTS.sentinels.map((port) => check('redis sentinel', port, () => redisRole(port))),
    ...PORTS.instances.map((port, index) =>
      check(`carewatch-${index + 1}`, port, () => http(`http://${HOST}:${port}/readyz`)),
    ),
    check('haproxy', PORTS.haproxy, () => http(`${baseUrl}/readyz`)),
    check('prometheus', PORTS.prometheus, () => http(`http://${HOST}:${PORTS.prometheus}/-/ready`)),
  ]);
}

export const anyPortOpen = async () =>
  (
    await Promise.all(
      Object.values(PORTS)
        .flat()
        .map((port) => portInUse(port)),
    )
  ).some(Boolean);
