/**
 * Where the CPU of one request goes, process by process (`npx tsx loadtests/hot-cpu.ts`, after
 * `npm run build`): one instance of the built service as bench:hot runs it, loaded by autocannon for
 * BENCH_SECONDS (10) on BENCH_PATH (/v1/patients/me; sent as hot-setup.ts's requestFor says), and
 * the CPU time (user + system, from /proc) that each process spent on it divided by the requests answered:
 * the service, the PostgreSQL backends of the bench database, Redis, this process (autocannon), the rest.
 * On a 2-core machine, 2 s of CPU per second divided by their sum is the ceiling of req/s.
 *
 * BENCH_CONNECTIONS (32).
 * BENCH_VARIANTS: `;`-separated service settings measured one after another (`A=1,B=2;C=3`; empty is
 * the defaults), e.g. `DATABASE_POOLER=pgbouncer;` to compare unnamed statements with named ones, or
 * `NODE_OPTIONS=--max-semi-space-size=32;` to compare Node.js flags.
 * Database and Redis as in hot-paths.ts (TEST_DATABASE_URL and TEST_REDIS_URL for the real servers).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { stopTestServer } from '../service/test/support/environment';
import {
  benchEnvironment,
  people,
  requestFor,
  serviceSettings,
  startInstances,
  stopInstances,
} from './hot-setup';
import { load } from './service-bench';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PATH = process.env.BENCH_PATH ?? '/v1/patients/me';
/** /proc's clock ticks per second (USER_HZ). */
const TICKS_PER_SECOND = 100;

interface ProcessCpu {
  readonly group: string;
  readonly userTicks: number;
  readonly totalTicks: number;
}

/** Which group a process belongs to, by its pid and command line. */
function groupOf(pid: number, commandLine: string, database: string, servicePid: number): string {
  if (pid === servicePid) return 'service (node)';
  if (pid === process.pid) return 'autocannon (this process)';
  if (commandLine.startsWith('postgres:') && commandLine.includes(database)) return 'PostgreSQL backends';
  if (commandLine.startsWith('redis-server')) return 'Redis';
  return 'every other process';
}

function processes(database: string, servicePid: number): ProcessCpu[] {
  const found: ProcessCpu[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      // Fields after the command name in parentheses: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const userTicks = Number(fields[11]);
      found.push({
        group: groupOf(Number(entry), commandLine, database, servicePid),
        userTicks,
        totalTicks: userTicks + Number(fields[12]),
      });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return found;
}

const ticksBy = (snapshot: readonly ProcessCpu[], pick: (cpu: ProcessCpu) => number) =>
  snapshot.reduce(
    (sums, cpu) => sums.set(cpu.group, (sums.get(cpu.group) ?? 0) + pick(cpu)),
    new Map<string, number>(),
  );

async function measure(
  env: NodeJS.ProcessEnv,
  sent: { path: string; headers: Record<string, string> },
  database: string,
) {
  const instances = await startInstances(env);
  try {
    const service = instances.service!;
    const slice = {
      port: service.port,
      ...sent,
      connections: Number(process.env.BENCH_CONNECTIONS ?? 32),
    };
    await load({ ...slice, duration: 3 });
    const before = processes(database, service.child.pid!);
    const started = Date.now();
    const figures = await load({ ...slice, duration: SECONDS });
    const after = processes(database, service.child.pid!);
    const requests = (figures.requestsPerSecond * (Date.now() - started)) / 1000;
    const perRequest = (ticks: number) => ((ticks / TICKS_PER_SECOND) * 1e6) / requests;
    const [totalBefore, totalAfter] = [before, after].map((s) => ticksBy(s, (cpu) => cpu.totalTicks));
    const [userBefore, userAfter] = [before, after].map((s) => ticksBy(s, (cpu) => cpu.userTicks));
    console.log(
      `${PATH}: ${figures.requestsPerSecond.toFixed(0)} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms, ${figures.errors} errors; CPU µs per request:`,
    );
    let sum = 0;
    for (const [group, ticks] of totalAfter!) {
      const used = perRequest(ticks - (totalBefore!.get(group) ?? 0));
      const user = perRequest((userAfter!.get(group) ?? 0) - (userBefore!.get(group) ?? 0));
      sum += used;
      console.log(`  ${used.toFixed(0).padStart(6)}  ${group} (user ${user.toFixed(0)})`);
    }
    console.log(
      `  ${sum.toFixed(0).padStart(6)}  in all: at most ${(2e6 / sum).toFixed(0)} req/s on 2 cores`,
    );
    const metrics = await fetch(`http://127.0.0.1:${service.port}/metrics`).then((r) => r.text());
    const value = (series: string) => {
      const at = metrics.indexOf(`\n${series} `);
      return at < 0 ? 0 : Number(metrics.slice(at + series.length + 2, metrics.indexOf('\n', at + 1)));
    };
    const mean = (histogram: string, labels = '') =>
      value(`${histogram}_sum${labels}`) / value(`${histogram}_count${labels}`);
    const statementMs = (operation: string) =>
      (mean('carewatch_db_query_duration_seconds', `{operation="${operation}"}`) * 1000).toFixed(2);
    console.log(
      `  warm-up included: ${value('carewatch_audit_commit_batch_size_count')} audit batches of ${mean('carewatch_audit_commit_batch_size').toFixed(1)} events, ` +
        `record reads ${mean('carewatch_db_read_batch_size').toFixed(1)} to a statement; ` +
        `statements take ${statementMs('select')} ms (select) and ${statementMs('insert')} ms (insert) on average`,
    );
  } finally {
    await stopInstances(instances);
  }
}

async function main(): Promise<void> {
  const { env, sink } = await benchEnvironment();
  try {
    const database = new URL(env.DATABASE_URL!).pathname.slice(1);
    const signedIn = await people(env);
    for (const variant of (process.env.BENCH_VARIANTS ?? '').split(';')) {
      console.log(`\nsettings: ${variant || 'defaults'}`);
      await measure({ ...env, ...serviceSettings(variant) }, requestFor(PATH, signedIn), database);
    }
  } finally {
    sink.server.close();
    await stopTestServer();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
