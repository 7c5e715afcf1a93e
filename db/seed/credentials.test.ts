import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Pool } from 'pg';
import { totpCode } from '../../service/src/auth/totp';
import { createFieldCipher } from '../../service/src/platform/field-cipher';
import { createTestDatabase, dropDatabase } from '../../service/test/support/environment';
import { api } from '../../service/test/support/http';
import { createTestRuntime, type TestRuntime } from '../../service/test/support/runtime';
import { hashSeedPassword } from './accounts';
import type { LoadTestCredentials } from './credentials';
import { buildSeedOptions } from './options';
import { seed } from './seed';

const optionsFor = (runTag: string, credentials: string) =>
  buildSeedOptions({
    patients: 6,
    providers: 3,
    admins: 2,
    credentials,
    seed: 4,
    runTag,
    end: new Date(),
    days: 10,
    inFlight: 2,
    requestTtlSeconds: 1800,
    batchSize: 4,
  });

describe('load-test credentials written by the seed', function () {
  this.timeout(120_000);
  let url: string;
  let runtime: TestRuntime;
  let pool: Pool;
  let dir: string;
  let credentials: LoadTestCredentials;
  let passwordHash: string;

  const seedWith = (runTag: string, path: string) =>
    seed(
      pool,
      createFieldCipher(runtime.config.encryption.keys, runtime.config.encryption.activeKeyId),
      passwordHash,
      optionsFor(runTag, path),
    );

  before(async () => {
    url = await createTestDatabase('seed_credentials');
    runtime = createTestRuntime(url);
    runtime.bindModels();
    await runtime.migrator.up();
    pool = new Pool({ connectionString: url, max: 2 });
    dir = await mkdtemp(join(tmpdir(), 'carewatch-credentials-'));
    passwordHash = await hashSeedPassword();
    await seedWith('creds', join(dir, 'creds.json'));
    credentials = JSON.parse(await readFile(join(dir, 'creds.json'), 'utf8')) as LoadTestCredentials;
  });

  after(async () => {
    await pool?.end();
    await runtime?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (url) await dropDatabase(url);
  });

  it('lists every account of the run, readable by its owner only, with a TOTP secret for staff alone', async () => {
    expect(credentials.runTag).to.equal('creds');
    expect([
      credentials.patients.length,
      credentials.providers.length,
      credentials.admins.length,
    ]).to.deep.equal([6, 3, 2]);
    expect(credentials.patients.every((account) => account.totpSecret === undefined)).to.equal(true);
    for (const account of [...credentials.providers, ...credentials.admins])
      expect(account.totpSecret).to.match(/^[A-Z2-7]{32}$/);
    expect((await stat(join(dir, 'creds.json'))).mode & 0o777).to.equal(0o600);
  });

  it('lets a seeded provider and admin reach aal2 with a code computed from their secret', async () => {
    for (const account of [credentials.providers[0]!, credentials.admins[0]!]) {
      const login = await api(runtime)
        .post('/v1/auth/login')
        .send({ email: account.email, password: credentials.password })
        .expect(200);
      expect(login.body).to.include({ status: 'mfa_required' });
      const verified = await api(runtime)
        .post('/v1/auth/mfa/verify')
        .send({ mfaToken: login.body.mfaToken, code: totpCode(account.totpSecret!) })
        .expect(200);
      expect(verified.body).to.include({ status: 'authenticated' });
      const me = await api(runtime)
        .get('/v1/me')
        .set('Authorization', `Bearer ${verified.body.accessToken}`)
        .expect(200);
      expect(me.body).to.deep.include({ id: account.id, mfaEnrolled: true });
      expect(me.body.session).to.include({ aal: 'aal2' });
    }
  });

  it('lets a seeded patient log in with the password alone', async () => {
    const login = await api(runtime)
      .post('/v1/auth/login')
      .send({ email: credentials.patients[5]!.email, password: credentials.password })
      .expect(200);
    expect(login.body).to.include({ status: 'authenticated' });
  });

  it('refuses with NODE_ENV=production before writing rows or a file', async () => {
    const path = join(dir, 'production.json');
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await seedWith('prod', path).then(
        () => expect.fail('the seed wrote credentials in production'),
        (error: Error) => expect(error.message).to.contain('NODE_ENV=production'),
      );
    } finally {
      if (previous === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = previous;
    }
    await stat(path).then(
      () => expect.fail('a credentials file was written'),
      (error: NodeJS.ErrnoException) => expect(error.code).to.equal('ENOENT'),
    );
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM users WHERE email LIKE '%.prod@%'`);
    expect(rows[0]).to.deep.equal({ n: 0 });
  });
});
