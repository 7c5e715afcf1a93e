import type { SmokeCheck } from './checks';

export interface SmokeResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

/** Runs every check in order (a failure does not stop the rest: the table shows everything that is wrong). */
export async function runChecks(checks: readonly SmokeCheck[]): Promise<SmokeResult[]> {
  const results: SmokeResult[] = [];
  for (const check of checks) {
    const started = performance.now();
    try {
      const detail = await check.run();
      results.push({ name: check.name, ok: true, detail, ms: performance.now() - started });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      results.push({ name: check.name, ok: false, detail, ms: performance.now() - started });
    }
  }
  return results;
}

export function formatTable(results: readonly SmokeResult[]): string {
  const rows = results.map((r) => [r.ok ? 'PASS' : 'FAIL', r.name, `${Math.round(r.ms)} ms`, r.detail]);
  const header = ['result', 'check', 'time', 'detail'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
