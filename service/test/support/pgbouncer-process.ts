import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { giveToPostgres, runAsPostgres } from './as-postgres';
import { freePorts, portInUse } from './replicated-postgres';

export interface PgBouncerProcess {
  /** `database` on the server behind the pooler, through it. */
  readonly url: (database: string) => string;
  stop(): Promise<void>;
}

/**
 * Debian's PgBouncer in transaction mode in front of `server` (host:port), on a port of 15440-15449, with
 * at most `serverConnections` connections to the server for each database.
 */
export async function startPgBouncer(server: URL, serverConnections: number): Promise<PgBouncerProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'carewatch-pgbouncer-'));
  await giveToPostgres(dir);
  const [port = 0] = await freePorts(1, 15440, 15449);
  const file = (name: string) => path.join(dir, name);
  await writeFile(file('userlist.txt'), '"postgres" ""\n');
  await writeFile(
    file('pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${file('userlist.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${serverConnections}`,
      `max_db_connections = ${serverConnections}`,
      'max_client_conn = 2000',
      `logfile = ${file('pgbouncer.log')}`,
      `pidfile = ${file('pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  await runAsPostgres('pgbouncer', ['-d', file('pgbouncer.ini')]);
  for (let attempt = 0; attempt < 50 && !(await portInUse(port)); attempt++) await sleep(100);
  return {
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async stop() {
      const pid = Number(await readFile(file('pgbouncer.pid'), 'utf8').catch(() => '0'));
      if (pid > 0) process.kill(pid, 'SIGINT');
      for (let attempt = 0; attempt < 50 && (await portInUse(port)); attempt++) await sleep(100);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
