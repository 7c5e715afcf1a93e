import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds, from /proc: who of generator, service and PostgreSQL used the machine's cores during a run. */

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  /** utime + stime + the children's it waited for, in ticks. */
  readonly ticks: number;
  /** utime + stime alone: a parent that reaps a child must not count the child's lifetime again. */
  readonly ownTicks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields after it start at the last ')'.
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((index) => Number(fields[index]));
    return {
      pid,
      ppid: Number(fields[1]),
      comm: text.slice(text.indexOf('(') + 1, close),
      ticks: utime! + stime! + cutime! + cstime!,
      ownTicks: utime! + stime!,
    };
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

function allProcesses(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat) => stat !== undefined);
}

/** A process and all its descendants (a service may run workers, artillery may too). */
function treeOf(roots: readonly number[], processes: readonly ProcStat[]): ProcStat[] {
  const inTree = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const stat of processes)
      if (!inTree.has(stat.pid) && inTree.has(stat.ppid)) {
        inTree.add(stat.pid);
        grew = true;
      }
  }
  return processes.filter((stat) => inTree.has(stat.pid));
}

/** The processes listening on a local TCP port (through `ss`, from iproute2). */
export function pidsListeningOn(port: number): number[] {
  try {
    const output = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    return [...new Set([...output.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1])))];
  } catch {
    return [];
  }
}

function machineTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const numbers = values.map(Number);
  const idle = numbers[3]! + numbers[4]!; // idle + iowait
  const total = numbers.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

export interface CpuGroups {
  readonly generator: readonly number[];
  readonly service: readonly number[];
}

export interface CpuUsage {
  readonly seconds: number;
  /** Average cores used over the run. */
  readonly generatorCores: number;
  readonly serviceCores: number;
  /** Every postgres process on the machine (shared with other users of it, if any). */
  readonly postgresCores: number;
  /** The whole machine, everyone included. */
  readonly machineCores: number;
  readonly cores: number;
  readonly loadAverage: string;
  /**
   * Every process on the machine that used CPU, grouped by command name (the generator's and the
   * service's trees under their own names), busiest first: HAProxy, PgBouncer, Redis, Prometheus and
   * whoever else shares the machine are seen apart.
   */
  readonly byProcess: { name: string; cores: number }[];
}

const GROUPS = ['generator', 'service', 'postgres', 'all'] as const;
type Totals = Record<(typeof GROUPS)[number], Map<number, number>>;

const GENERATOR_NAME = 'artillery (generator)';
const SERVICE_NAME = 'carewatch (service)';

/**
 * Totals per process at a moment; a process that started after the first snapshot counts from 0, one
 * that ended is lost (its parent's cutime keeps it when the parent waited for it).
 */
function snapshot(groups: CpuGroups, names: Map<number, string>): Totals {
  const processes = allProcesses();
  const ticksBy = (stats: readonly ProcStat[]) => new Map(stats.map((stat) => [stat.pid, stat.ticks]));
  const generator = ticksBy(treeOf(groups.generator, processes));
  const service = ticksBy(treeOf(groups.service, processes));
  for (const stat of processes)
    if (!names.has(stat.pid))
      names.set(
        stat.pid,
        generator.has(stat.pid) ? GENERATOR_NAME : service.has(stat.pid) ? SERVICE_NAME : stat.comm,
      );
  return {
    generator,
    service,
    postgres: ticksBy(processes.filter((stat) => stat.comm === 'postgres')),
    all: new Map(processes.map((stat) => [stat.pid, stat.ownTicks])),
  };
}

const delta = (before: Map<number, number>, after: Map<number, number>) =>
  [...after].reduce((sum, [pid, ticks]) => sum + ticks - (before.get(pid) ?? 0), 0) / TICKS_PER_SECOND;

function byName(
  before: Map<number, number>,
  after: Map<number, number>,
  names: Map<number, string>,
  seconds: number,
): { name: string; cores: number }[] {
  const totals = new Map<string, number>();
  for (const [pid, ticks] of after) {
    const name = names.get(pid) ?? '?';
    totals.set(name, (totals.get(name) ?? 0) + ticks - (before.get(pid) ?? 0));
  }
  return [...totals]
    .map(([name, ticks]) => ({ name, cores: ticks / TICKS_PER_SECOND / seconds }))
    .filter((entry) => entry.cores >= 0.005)
    .sort((a, b) => b.cores - a.cores);
}

/** Starts measuring; `stop()` answers the average cores each group used meanwhile. */
export function measureCpu(groups: () => CpuGroups): { stop(): CpuUsage } {
  const startedAt = performance.now();
  const names = new Map<number, string>();
  const first = snapshot(groups(), names);
  const machineFirst = machineTicks();
  // Short-lived children are seen by sampling: keep the last value each process had.
  const last: Totals = {
    generator: new Map(first.generator),
    service: new Map(first.service),
    postgres: new Map(first.postgres),
    all: new Map(first.all),
  };
  const sample = () => {
    const now = snapshot(groups(), names);
    for (const key of GROUPS) for (const [pid, ticks] of now[key]) last[key].set(pid, ticks);
  };
  const sampler = setInterval(sample, 5_000);
  return {
    stop() {
      clearInterval(sampler);
      sample();
      const seconds = (performance.now() - startedAt) / 1000;
      const machineNow = machineTicks();
      const cores = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
      const machineShare = (machineNow.busy - machineFirst.busy) / (machineNow.total - machineFirst.total);
      return {
        seconds,
        generatorCores: delta(first.generator, last.generator) / seconds,
        serviceCores: delta(first.service, last.service) / seconds,
        postgresCores: delta(first.postgres, last.postgres) / seconds,
        machineCores: machineShare * cores,
        cores,
        loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
        byProcess: byName(first.all, last.all, names, seconds),
      };
    },
  };
}
