import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { Client } from 'pg';
import { createTestDatabase, dropDatabase } from '../../service/test/support/environment';

const run = promisify(execFile);

/** The real command, as `npm run db:seed` runs it, in a child process against a scratch database. */
function seedCommand(databaseUrl: string, args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'db/seed/cli.ts', ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'development' },
  });
}

describe('npm run db:seed', function () {
  this.timeout(60_000);
  let url: string;

  before(async () => {
    url = await createTestDatabase('seed_cli');
  });

  after(async () => {
    if (url) await dropDatabase(url);
  });

  it('migrates an empty database, seeds it and reports what it wrote and how to log in', async () => {
    const { stdout } = await seedCommand(url, [
      '--patients',
      '12',
      '--providers',
      '3',
      '--seed',
      '5',
      '--run-tag',
      'cli-one',
    ]);
    const summary = JSON.parse(stdout.slice(0, stdout.indexOf('\n}') + 2)) as {
      counts: Record<string, number>;
    };
    expect(stdout)
      .to.contain('patient-0.cli-one@seed.carewatch.test')
      .and.contain('password: carewatch-seed-password');
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ patients: string; providers: string; consultations: string }>(
        `SELECT (SELECT count(*) FROM patients) AS patients, (SELECT count(*) FROM providers) AS providers,
                (SELECT count(*) FROM consultations) AS consultations`,
      );
      expect(rows[0]).to.deep.equal({
        patients: '12',
        providers: '3',
        consultations: String(summary.counts.consultations),
      });
    } finally {
      await client.end();
    }
  });

  it('refuses out-of-range flags, naming each flag and showing the usage', async () => {
    const failure = await seedCommand(url, ['--patients', '0', '--run-tag', 'Not Valid']).then(
      () => expect.fail('the command succeeded'),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure.code).to.equal(1);
    expect(failure.stderr)
      .to.contain('--patients')
      .and.contain('--run-tag')
      .and.contain('usage: npm run db:seed');
    expect(failure.stderr).to.not.match(/\bat .*\.ts:\d+/);
  });
});
