import { execFile } from 'node:child_process';
import { chown } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * PostgreSQL and PgBouncer refuse to run as root. As root, tests run them as the `postgres` user (and give
 * it their folders); as anyone else, as themselves.
 */
export const asRoot = userInfo().uid === 0;

export const runAsPostgres = (command: string, args: readonly string[]) =>
  asRoot ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, [...args]);

export async function giveToPostgres(path: string): Promise<void> {
  if (asRoot) await chown(path, Number((await run('id', ['-u', 'postgres'])).stdout), 0);
}
