import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { percentile } from '../percentile';
import { DATABASE, HOST, PORTS, SENTINEL_NAME, postgresUrl } from './layout';
import {
  down,
  instanceReady,
  pidOf,
  signal,
  startInstance,
  startPgBouncer,
  startPostgres,
  startRedisServer,
  stop,
  stopPostgres,
  up,
  waitFor,
} from './parts';
import { failed, registerPatients, startSteadyLoad, type Outcome } from './steady-load';
import { topologyStatus } from './status';

/**
 * `npm run drill [-- --short]`: brings the topology up, runs a steady realistic load through HAProxy and,
 * one after another, restarts or kills each part; prints per fault the failed requests, the p99 while it
 * lasted and the seconds until every part was healthy again; checks that nothing acknowledged was lost;
 * takes the topology down. Exits 1 when a floor of issue #15 is broken.
 */
const short = process.argv.includes('--short');
const RATE = Number(process.env.DRILL_RATE ?? (short ? 60 : 150));
const SETTLE_MS = short ? 3_000 : 8_000;
const run = promisify(execFile);

interface Fault {
  readonly name: string;
  /** 'none': no request may fail; 'idempotent': only writes in flight on the killed process may. */
  readonly floor: 'none' | 'idempotent' | 'report';
  /** Does the damage and the repair; returns when it occurred (for the in-flight check). */
  inject(): Promise<number>;
}

const waitExit = async (name: string) => {
  const pid = await pidOf(name);
  for (let attempt = 0; pid && attempt < 150; attempt++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
};

const restartInstance = async (index: number, how: NodeJS.Signals) => {
  const name = `carewatch-${index + 1}`;
  await signal(name, how);
  await waitExit(name);
  await startInstance(index);
  await waitFor(name, () => instanceReady(index), 120);
};

const redisPrimaryPort = async () => {
  const sentinel = new Redis({ host: HOST, port: PORTS.sentinels[0] });
  try {
    const [, port] = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME)) as string[];
    return Number(port);
  } finally {
    sentinel.disconnect();
  }
};

const FAULTS: Fault[] = [
  {
    name: 'rolling restart (SIGTERM)',
    floor: 'none',
    async inject() {
      const at = Date.now();
      for (const index of [0, 1, 2]) await restartInstance(index, 'SIGTERM');
      return at;
    },
  },
  {
    name: 'SIGKILL of one instance',
    floor: 'idempotent',
    async inject() {
      const at = Date.now();
      await restartInstance(1, 'SIGKILL');
      return at;
    },
  },
  {
    name: 'Redis primary failover',
    floor: 'idempotent',
    async inject() {
      const before = await redisPrimaryPort();
      const name = before === PORTS.redisPrimary ? 'redis-primary' : 'redis-replica';
      const at = Date.now();
      await signal(name, 'SIGKILL');
      await waitFor('a promoted Redis primary', async () => (await redisPrimaryPort()) !== before, 60);
      // The old primary comes back; Sentinel turns it into a replica of the new one.
      await startRedisServer(name);
      return at;
    },
  },
  {
    name: 'replica loss',
    floor: 'none',
    async inject() {
      const at = Date.now();
      await stopPostgres('replica', 'immediate');
      await sleep(SETTLE_MS);
      await startPostgres('replica');
      return at;
    },
  },
  {
    name: 'PgBouncer restart',
    floor: 'report',
    async inject() {
      const at = Date.now();
      await signal('pgbouncer', 'SIGINT');
      await waitExit('pgbouncer');
      await startPgBouncer();
      return at;
    },
  },
  {
    name: 'primary restart',
    floor: 'report',
    async inject() {
      const at = Date.now();
      await stopPostgres('primary', 'fast');
      await startPostgres('primary');
      return at;
    },
  },
];

/** Every part answers, and every instance is ready and not degraded; what is not, is kept for the log. */
let lastUnhealthy: string[] = [];
const allHealthy = async () => {
  lastUnhealthy = (await topologyStatus())
    .filter(
      (part) => !part.healthy || (part.part.startsWith('carewatch') && !part.detail.includes('"ready"')),
    )
    .map((part) => `${part.part}:${part.port} ${part.detail}`);
  return lastUnhealthy.length === 0;
};
const waitHealthy = () =>
  waitFor('every part healthy again', allHealthy, 180).catch((error: unknown) => {
    console.error(`drill: still unhealthy: ${lastUnhealthy.join('; ')}`);
    throw error;
  });

interface Row {
  readonly fault: string;
  readonly requests: number;
  readonly failedIdempotent: number;
  readonly failedWrites: number;
  readonly writesNotInFlight: number;
  readonly p99Ms: number;
  /** NaN: not every part was healthy again within 180 s. */
  readonly secondsToHealthy: number;
  readonly floorMet: boolean;
  /** What failed: kind and status (0: no answer), with counts, e.g. `list 500 x3`. */
  readonly failures: string;
}

const describeFailures = (failures: readonly Outcome[]) => {
  const counts = new Map<string, number>();
  for (const { kind, status } of failures)
    counts.set(`${kind} ${status}`, (counts.get(`${kind} ${status}`) ?? 0) + 1);
  return [...counts].map(([what, count]) => `${what} x${count}`).join(', ');
};

async function drillOne(fault: Fault, outcomes: readonly Outcome[]): Promise<Row> {
  const from = Date.now();
  const at = await fault.inject();
  // A part that never recovers breaks the floor; the drill goes on to the next fault all the same.
  const recovered = await waitHealthy().then(
    () => true,
    () => false,
  );
  const healthyAt = Date.now();
  await sleep(SETTLE_MS);
  const during = outcomes.filter((outcome) => outcome.startedAt >= from && outcome.startedAt <= healthyAt);
  const failures = during.filter(failed);
  const failedWrites = failures.filter((outcome) => !outcome.idempotent);
  const writesNotInFlight = failedWrites.filter((o) => !(o.startedAt <= at + 1000 && o.endedAt >= at)).length;
  const failedIdempotent = failures.length - failedWrites.length;
  const floorMet =
    recovered &&
    (fault.floor === 'none'
      ? failures.length === 0
      : fault.floor === 'idempotent'
        ? failedIdempotent === 0 && writesNotInFlight === 0
        : true);
  return {
    fault: fault.name,
    requests: during.length,
    failedIdempotent,
    failedWrites: failedWrites.length,
    writesNotInFlight,
    p99Ms: Math.round(
      percentile(
        during.map((o) => o.endedAt - o.startedAt),
        99,
      ),
    ),
    secondsToHealthy: recovered ? Math.round((healthyAt - at) / 100) / 10 : Number.NaN,
    floorMet,
    failures: describeFailures(failures),
  };
}

/** Every consultation the service acknowledged exists, and the audit chain verifies. */
async function nothingLost(outcomes: readonly Outcome[]): Promise<{ missing: number; auditOk: boolean }> {
  const ids = outcomes.flatMap((outcome) => (outcome.createdId ? [outcome.createdId] : []));
  const client = new Client({ connectionString: postgresUrl(PORTS.primary, DATABASE) });
  await client.connect();
  const { rows } = await client.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM consultations WHERE id = ANY($1::uuid[])',
    [ids],
  );
  await client.end();
  const verify = await run(process.execPath, ['--import', 'tsx', 'service/src/audit/cli.ts', 'verify'], {
    env: { ...process.env, DATABASE_URL: postgresUrl(PORTS.primary, DATABASE), LOG_LEVEL: 'error' },
  }).then(
    () => true,
    () => false,
  );
  return { missing: ids.length - (rows[0]?.count ?? 0), auditOk: verify };
}

async function main(): Promise<void> {
  const log = (line: string) => console.log(`drill: ${line}`);
  await up(log);
  let load: ReturnType<typeof startSteadyLoad> | undefined;
  let broken = true;
  try {
    const patients = await registerPatients(short ? 20 : 60);
    log(`steady load: ${RATE} requests/s (PHI reads, lists, consultation requests, logins)`);
    load = startSteadyLoad(patients, RATE);
    await sleep(SETTLE_MS);
    const rows: Row[] = [];
    for (const fault of FAULTS) {
      log(`fault: ${fault.name}`);
      rows.push(await drillOne(fault, load.outcomes));
    }
    await load.stop();
    console.table(rows);
    const { missing, auditOk } = await nothingLost(load.outcomes);
    log(
      `${load.outcomes.length} requests; acknowledged consultations missing: ${missing}; audit chain verifies: ${auditOk}`,
    );
    const everyReady = await allHealthy();
    log(`every part healthy at the end: ${everyReady}`);
    broken = rows.some((row) => !row.floorMet) || missing > 0 || !auditOk || !everyReady;
  } finally {
    await load?.stop();
    // A broken floor or a failed run keeps the logs (haproxy.log: a line per request) to look into.
    await (broken ? stop(log) : down(log));
  }
  if (broken) {
    console.error('drill: a floor was broken');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
