import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Keeps committed build output honest: run a build script into a temporary root and compare the
// generated directories file by file with the repository. Returns the differences, empty if none.

export const REPO_ROOT = join(__dirname, '..', '..');

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export function diffGeneratedOutput(buildScript: string, generatedDirs: readonly string[]): string[] {
  const tmp = mkdtempSync(join(tmpdir(), 'carewatch-build-'));
  try {
    execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, buildScript), '--out', tmp], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
    return generatedDirs.flatMap((dir) => {
      const fresh = listFiles(join(tmp, dir));
      const committed = listFiles(join(REPO_ROOT, dir));
      const missing = fresh.filter((f) => !committed.includes(f)).map((f) => `${dir}/${f} is not committed`);
      const stale = committed
        .filter((f) => !fresh.includes(f))
        .map((f) => `${dir}/${f} is no longer generated`);
      const changed = fresh
        .filter((f) => committed.includes(f))
        .filter(
          (f) => readFileSync(join(tmp, dir, f), 'utf8') !== readFileSync(join(REPO_ROOT, dir, f), 'utf8'),
        )
        .map((f) => `${dir}/${f} differs from a fresh build`);
      return [...missing, ...stale, ...changed];
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
