import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { matchesExpected, readmeSteps } from './support/readme-walkthrough';
import { startService, type StartedService } from './support/service-process';

const MARK = '@@walkthrough-step@@';

/**
 * README.md's "The first hour", run as written: its `sh` blocks, in one shell, against the service
 * started as `npm start` starts it (the embedded PostgreSQL under a DATA_DIR of its own, no Redis, no
 * SMTP), so that the documentation a newcomer follows cannot drift from what the service does.
 */
describe('the README walk-through ("The first hour")', function () {
  this.timeout(300_000);
  let dataDir: string;
  let service: StartedService;

  before(async function () {
    if (spawnSync('jq', ['--version']).status !== 0)
      throw new Error('the walk-through needs jq: apt-get install jq');
    dataDir = await mkdtemp(path.join(tmpdir(), 'carewatch-walkthrough-'));
    // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
    await chmod(dataDir, 0o755);
    service = await startService({ DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'info' });
  });

  after(async () => {
    if (service) {
      const exited = once(service.child, 'exit');
      service.child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives the answers it promises, step by step, from the first admin to the audit trail', async () => {
    const steps = await readmeSteps('README.md', 'The first hour');
    expect(steps.length).to.be.greaterThan(5);
    const script = ['set -euo pipefail', ...steps.map(({ script }) => `echo '${MARK}'\n${script}`)].join(
      '\n',
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BASE: `http://127.0.0.1:${service.port}`,
      DATA_DIR: dataDir,
    };
    delete env.DATABASE_URL;
    delete env.ADMIN_PASSWORD;
    const shell = spawn('bash', ['-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    shell.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    shell.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(shell, 'exit')) as [number];

    const outputs = stdout.split(`${MARK}\n`).slice(1);
    steps.forEach(({ script: commands, expected }, index) => {
      const lines = (outputs[index] ?? '').split('\n');
      for (const line of expected) {
        expect(
          lines.some((output) => matchesExpected(line, output)),
          `step ${index + 1} of the walk-through:\n${commands}\nexpected a line like: ${line}\ngot:\n${outputs[index] ?? '(nothing: an earlier step failed)'}\nstderr:\n${stderr}`,
        ).to.equal(true);
      }
    });
    expect(code, `the walk-through's shell failed:\n${stderr}`).to.equal(0);
    // The invitation went out as a file the log names, never by the address.
    expect(service.output()).to.include('"mail delivered"').and.not.include('grace@example.org');
  });
});
