import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { DEVELOPMENT_AUDIT_CHECKPOINT_KEY } from './config';
import { createAuditHarness } from '../../test/support/audit';
import { createTestDatabase, dropDatabase } from '../../test/support/environment';
import { SYSTEM_ACTOR } from './audit-actor';
import { publicKeyOf, verifyCheckpoint, type SignedCheckpoint } from './checkpoint';

const run = promisify(execFile);

describe('the audit command line', function () {
  this.timeout(60_000);
  let url: string;
  let harness: ReturnType<typeof createAuditHarness>;
  const npm = (args: string[]) =>
    run('npm', ['run', '--silent', ...args], {
      env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'test' },
    });

  before(async () => {
    url = await createTestDatabase('audit_cli');
    harness = createAuditHarness(url);
    await harness.migrate();
    for (let n = 0; n < 3; n += 1) {
      await harness.audit.record({
        actor: SYSTEM_ACTOR,
        action: 'security',
        eventType: 'test.cli',
        resourceType: 'User',
        outcome: 'success',
      });
    }
    while ((await harness.audit.sealer.sealOnce()) === 0);
  });

  after(async () => {
    await harness.close();
    await dropDatabase(url);
  });

  it('writes a signed checkpoint whose signature verifies with the configured key, and checks it again offline', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'carewatch-checkpoint-'));
    const file = path.join(folder, 'checkpoint.json');
    try {
      await npm(['audit:checkpoint', '--', '--out', file]);
      const checkpoint = JSON.parse(await readFile(file, 'utf8')) as SignedCheckpoint;
      expect(checkpoint.payload.seals.map((seal) => seal.eventCount)).to.deep.equal([3]);
      expect(verifyCheckpoint(checkpoint, publicKeyOf(DEVELOPMENT_AUDIT_CHECKPOINT_KEY))).to.deep.equal({
        ok: true,
      });
      const { stdout } = await npm(['audit:checkpoint', '--', '--check', file]);
      expect(stdout).to.match(/^valid: 1 seals/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('verifies the chain, maintains partitions and applies retention', async () => {
    const verified = JSON.parse((await npm(['audit:verify'])).stdout) as {
      ok: boolean;
      checkedEvents: number;
    };
    expect(verified).to.include({ ok: true, checkedEvents: 3 });
    expect((await npm(['audit:maintain'])).stdout).to.match(/^created \d+ partitions/);
    expect((await npm(['audit:retention'])).stdout).to.match(/no partition is past the retention period/);
  });
});
