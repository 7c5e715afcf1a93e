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
}

type Totals = Record<'generator' | 'service' | 'postgres', Map<number, number>>;

/**
 * Totals per process at a moment; a process that started after the first snapshot counts from 0, one
 * that ended is lost (its parent's cutime keeps it when the parent waited for it).
 */
function snapshot(groups: CpuGroups): Totals {
  const processes = allProcesses();
  const ticksBy = (stats: readonly ProcStat[]) => new Map(stats.map((stat) => [stat.pid, stat.ticks]));
  return {
    generator: ticksBy(treeOf(groups.generator, processes)),
    service: ticksBy(treeOf(groups.service, processes)),
    postgres: ticksBy(processes.filter((stat) => stat.comm === 'postgres')),
  };
}

const delta = (before: Map<number, number>, after: Map<number, number>) =>
  [...after].reduce((sum, [pid, ticks]) => sum + ticks - (before.get(pid) ?? 0), 0) / TICKS_PER_SECOND;

/** Starts measuring; `stop()` answers the average cores each group used meanwhile. */
export function measureCpu(groups: () => CpuGroups): { stop(): CpuUsage } {
  const startedAt = performance.now();
  const first = snapshot(groups());
  const machineFirst = machineTicks();
  // Short-lived children are seen by sampling: keep the last value each process had.
  const last: Totals = {
    generator: new Map(first.generator),
    service: new Map(first.service),
    postgres: new Map(first.postgres),
  };
  const sampler = setInterval(() => {
    const now = snapshot(groups());
    for (const key of ['generator', 'service', 'postgres'] as const)
      for (const [pid, ticks] of now[key]) last[key].set(pid, ticks);
  }, 5_000);
  return {
    stop() {
      clearInterval(sampler);
      const now = snapshot(groups());
      for (const key of ['generator', 'service', 'postgres'] as const)
        for (const [pid, ticks] of now[key]) last[key].set(pid, ticks);
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
      };
    },
  };
}
