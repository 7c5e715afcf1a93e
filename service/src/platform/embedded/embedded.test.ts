import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startService } from '../../../test/support/service-process';
import { freePort } from './database';
import { isAlive, spawnPostgres } from './postgres-process';
import { recordPath, runningPostmaster, writeRecord } from './record';

/** Runs a command-line tool the way `npm run` does, against the embedded default (no DATABASE_URL). */
async function runTool(dataDir: string, script: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  return { code, output };
}

describe('the embedded PostgreSQL shared by the service and the command-line tools', function () {
  this.timeout(240_000);
  let dataDir: string;
  const databaseDir = () => path.join(dataDir, 'postgres');

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'carewatch-embedded-'));
    // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
    await chmod(dataDir, 0o755);
  });

  after(() => rm(dataDir, { recursive: true, force: true }));

  it('a start that fails (its port taken) stops the PostgreSQL it started and says why', async () => {
    const taken: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const env = { DATA_DIR: dataDir, PORT: String(port), DATABASE_URL: '' };
      const failed = await startService(env).then(
        () => expect.fail('the service started on a taken port'),
        (error: Error) => error.message,
      );
      expect(failed).to.include('EADDRINUSE');
      expect(await runningPostmaster(databaseDir())).to.equal(undefined);
      expect(existsSync(recordPath(dataDir))).to.equal(false);
    } finally {
      taken.close();
    }
  });

  it('while the service runs, a tool uses its server; the record goes when the service stops', async () => {
    const service = await startService({ DATA_DIR: dataDir, DATABASE_URL: '' });
    try {
      expect(existsSync(recordPath(dataDir))).to.equal(true);
      const status = await runTool(dataDir, 'db/migrate.ts', 'status');
      expect(status.output).to.include('using the embedded PostgreSQL').and.include('up       0001_users');
      expect(status.code, status.output).to.equal(0);
    } finally {
      const exited = once(service.child, 'exit');
      service.child.kill('SIGTERM');
      await exited;
    }
    expect(existsSync(recordPath(dataDir))).to.equal(false);
    expect(await runningPostmaster(databaseDir())).to.equal(undefined);
  });

  it('a stale record and an orphaned server (their owner killed) are cleaned up by the next tool', async () => {
    const orphan = await spawnPostgres(databaseDir(), await freePort());
    const deadPid = 2 ** 22 + 1; // above Linux's pid_max: no process has it
    await writeRecord(dataDir, {
      ownerPid: deadPid,
      owner: 'service',
      postgresPid: orphan.pid,
      port: 1,
      url: 'postgres://nowhere',
      startedAt: new Date().toISOString(),
    });
    const status = await runTool(dataDir, 'db/migrate.ts', 'status');
    expect(status.output).to.include('removed a stale').and.include('stopping an orphaned');
    expect(status.code, status.output).to.equal(0);
    expect(isAlive(orphan.pid)).to.equal(false);
    expect(existsSync(recordPath(dataDir))).to.equal(false);
  });
});
