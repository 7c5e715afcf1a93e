import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { giveToPostgres, runAsPostgres } from '../../service/test/support/as-postgres';
import { portInUse } from '../../service/test/support/replicated-postgres';
import {
  DATABASE,
  HOST,
  PG_BIN,
  PORTS,
  SENTINEL_NAME,
  STATE_DIR,
  file,
  haproxyEnv,
  instanceEnv,
  postgresUrl,
} from './layout';

const ROOT = path.resolve(__dirname, '../..');
const pg = (tool: string, args: readonly string[]) => runAsPostgres(path.join(PG_BIN, tool), args);

export async function waitFor(what: string, ready: () => Promise<boolean>, seconds = 60): Promise<void> {
  for (let attempt = 0; attempt < seconds * 5; attempt++) {
    if (await ready().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${what} did not come up within ${seconds} s (see ${STATE_DIR})`);
}

/** Starts a long-running process detached, its output in <name>.log and its pid in <name>.pid. */
async function daemon(name: string, command: string, args: readonly string[], env = process.env) {
  const log = openSync(file(`${name}.log`), 'a');
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', log, log] });
  child.unref();
  await writeFile(file(`${name}.pid`), String(child.pid));
}

export async function pidOf(name: string): Promise<number | undefined> {
  const pid = Number(await readFile(file(`${name}.pid`), 'utf8').catch(() => ''));
  return pid > 0 ? pid : undefined;
}

export async function signal(name: string, sig: NodeJS.Signals): Promise<void> {
  const pid = await pidOf(name);
  if (pid) {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

// PostgreSQL: a primary and a streaming replica made with initdb and pg_basebackup -R.
const pgData = (name: 'primary' | 'replica') => file(name);
export const startPostgres = (name: 'primary' | 'replica') =>
  pg('pg_ctl', [
    '-D',
    pgData(name),
    '-l',
    file(`${name}.log`),
    '-w',
    '-o',
    `-p ${name === 'primary' ? PORTS.primary : PORTS.replica} -k ${STATE_DIR} -c listen_addresses=${HOST} -c max_connections=100 -c shared_preload_libraries=pg_stat_statements`,
    'start',
  ]);
export const stopPostgres = (name: 'primary' | 'replica', mode: 'fast' | 'immediate' = 'fast') =>
  pg('pg_ctl', ['-D', pgData(name), '-m', mode, '-w', 'stop']).catch(() => undefined);

async function createPostgres(): Promise<void> {
  await pg('initdb', ['-D', pgData('primary'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  await startPostgres('primary');
  const sql = (statement: string) =>
    pg('psql', ['-h', HOST, '-p', String(PORTS.primary), '-U', 'postgres', '-c', statement]);
  await sql(`CREATE DATABASE ${DATABASE}`);
  // Behind PgBouncer the timeouts cannot be startup parameters: they are the database's settings.
  await sql(`ALTER DATABASE ${DATABASE} SET statement_timeout = '10s'`);
  await sql(`ALTER DATABASE ${DATABASE} SET idle_in_transaction_session_timeout = '30s'`);
  await pg('pg_basebackup', [
    '-h',
    HOST,
    '-p',
    String(PORTS.primary),
    '-U',
    'postgres',
    '-D',
    pgData('replica'),
    '-R',
    '-X',
    'stream',
    '-c',
    'fast',
  ]);
  await startPostgres('replica');
}

// PgBouncer in transaction mode in front of the primary: 3 instances x 10 clients, 20 server connections.
export async function startPgBouncer(): Promise<void> {
  await writeFile(file('userlist.txt'), '"postgres" ""\n');
  await writeFile(
    file('pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${HOST} port=${PORTS.primary}`,
      '[pgbouncer]',
      `listen_addr = ${HOST}`,
      `listen_port = ${PORTS.pgbouncer}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${file('userlist.txt')}`,
      'pool_mode = transaction',
      'default_pool_size = 20',
      'max_db_connections = 20',
      'max_client_conn = 1000',
      // After a failed login to PostgreSQL (it is restarting), PgBouncer fails every client at once for
      // this long before trying again: 15 s by default, which kept a primary restart down for 17 s.
      'server_login_retry = 1',
      `logfile = ${file('pgbouncer.log')}`,
      `pidfile = ${file('pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  await giveToPostgres(file('pgbouncer.ini'));
  await runAsPostgres('pgbouncer', ['-d', file('pgbouncer.ini')]);
  await waitFor('pgbouncer', () => portInUse(PORTS.pgbouncer));
}

// Redis: a primary, a replica and three Sentinels (quorum 2).
const REDIS_SERVERS = {
  'redis-primary': { port: PORTS.redisPrimary, extra: [] },
  'redis-replica': { port: PORTS.redisReplica, extra: ['--replicaof', HOST, String(PORTS.redisPrimary)] },
} as const;

/** Starts one of the two Redis servers (again): Sentinel reconfigures a returning one as it needs. */
export const startRedisServer = (name: keyof typeof REDIS_SERVERS) =>
  daemon(name, 'redis-server', [
    '--port',
    String(REDIS_SERVERS[name].port),
    '--bind',
    HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    STATE_DIR,
    ...REDIS_SERVERS[name].extra,
  ]);

async function startRedis(): Promise<void> {
  await startRedisServer('redis-primary');
  await startRedisServer('redis-replica');
  for (const [index, port] of PORTS.sentinels.entries()) {
    const conf = file(`sentinel-${index + 1}.conf`);
    await writeFile(
      conf,
      [
        `port ${port}`,
        `bind ${HOST}`,
        `dir ${STATE_DIR}`,
        `sentinel monitor ${SENTINEL_NAME} ${HOST} ${PORTS.redisPrimary} 2`,
        `sentinel down-after-milliseconds ${SENTINEL_NAME} 2000`,
        `sentinel failover-timeout ${SENTINEL_NAME} 10000`,
        '',
      ].join('\n'),
    );
    await daemon(`sentinel-${index + 1}`, 'redis-server', [conf, '--sentinel']);
  }
  for (const port of [PORTS.redisPrimary, PORTS.redisReplica, ...PORTS.sentinels])
    await waitFor(`redis on ${port}`, () => portInUse(port));
}

/**
 * TOPOLOGY_NODE_ARGS adds Node.js flags to every instance, e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile
 * them under load (Node refuses --cpu-prof in NODE_OPTIONS); each writes its profile when it stops.
 */
const instanceNodeArgs = () => process.env.TOPOLOGY_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

export async function startInstance(index: number): Promise<void> {
  await daemon(
    `carewatch-${index + 1}`,
    process.execPath,
    [...instanceNodeArgs(), '--import', 'tsx', 'service/src/main.ts'],
    instanceEnv(index),
  );
}

export const instanceReady = async (index: number) =>
  (await fetch(`http://${HOST}:${PORTS.instances[index]}/readyz`)).status === 200;

async function startHaproxy(): Promise<void> {
  await daemon(
    'haproxy',
    'haproxy',
    ['-db', '-f', path.join(ROOT, 'loadtests/topology/haproxy.cfg')],
    haproxyEnv(),
  );
}

async function startPrometheus(): Promise<void> {
  const targets = PORTS.instances.map((port) => `'${HOST}:${port}'`).join(', ');
  await writeFile(
    file('prometheus.yml'),
    [
      'global: { scrape_interval: 5s, evaluation_interval: 5s }',
      'scrape_configs:',
      `  - { job_name: carewatch, static_configs: [ { targets: [${targets}] } ] }`,
      `  - { job_name: haproxy, static_configs: [ { targets: ['${HOST}:${PORTS.haproxyStats}'] } ] }`,
      '',
    ].join('\n'),
  );
  await daemon('prometheus', 'prometheus', [
    `--config.file=${file('prometheus.yml')}`,
    `--storage.tsdb.path=${file('prometheus-data')}`,
    `--web.listen-address=${HOST}:${PORTS.prometheus}`,
  ]);
}

export async function up(log: (line: string) => void): Promise<void> {
  const running = await pidOf('haproxy');
  if (running && isAlive(running))
    throw new Error(`The topology seems up already (${STATE_DIR}); run down first`);
  try {
    await startEverything(log);
  } catch (error) {
    // Nothing half-started is left running (a CI run or the drill would leak it); the logs stay.
    await stop(log);
    throw error;
  }
}

async function startEverything(log: (line: string) => void): Promise<void> {
  await rm(STATE_DIR, { recursive: true, force: true });
  await mkdir(STATE_DIR, { recursive: true, mode: 0o755 });
  await giveToPostgres(STATE_DIR);
  log('postgresql: primary and streaming replica');
  await createPostgres();
  log('pgbouncer');
  await startPgBouncer();
  log('redis: primary, replica, 3 sentinels');
  await startRedis();
  log('carewatch: 3 instances');
  // The first migrates (through DATABASE_DIRECT_URL); the others would wait on its lock anyway.
  await startInstance(0);
  await waitFor('carewatch-1', () => instanceReady(0), 120);
  for (const index of [1, 2]) await startInstance(index);
  for (const index of [1, 2]) await waitFor(`carewatch-${index + 1}`, () => instanceReady(index), 120);
  log('haproxy and prometheus');
  await startHaproxy();
  await startPrometheus();
  await waitFor('haproxy', async () => (await fetch(`http://${HOST}:${PORTS.haproxy}/readyz`)).ok);
  log(`up: ${postgresUrl(PORTS.primary)} and Carewatch at http://${HOST}:${PORTS.haproxy}`);
}

const DAEMONS = [
  'prometheus',
  'haproxy',
  'carewatch-1',
  'carewatch-2',
  'carewatch-3',
  'sentinel-1',
  'sentinel-2',
  'sentinel-3',
  'redis-replica',
  'redis-primary',
  'pgbouncer',
];

export async function down(log: (line: string) => void): Promise<void> {
  await stopEverything();
  await rm(STATE_DIR, { recursive: true, force: true });
  log('down: every process stopped, state removed');
}

/** Stops every process but keeps the state: the logs of a failed run (`up` removes it all first). */
export async function stop(log: (line: string) => void): Promise<void> {
  await stopEverything();
  log(`stopped: every process; the logs are in ${STATE_DIR}`);
}

async function stopEverything(): Promise<void> {
  for (const name of DAEMONS) await signal(name, 'SIGTERM');
  for (const name of DAEMONS) {
    const pid = await pidOf(name);
    for (let attempt = 0; pid && attempt < 50 && isAlive(pid); attempt++) await sleep(200);
    if (pid && isAlive(pid)) await signal(name, 'SIGKILL');
  }
  await stopPostgres('replica');
  await stopPostgres('primary');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
