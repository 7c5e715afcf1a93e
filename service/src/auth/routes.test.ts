import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { Client } from 'pg';
import { declaredRoutes } from '../platform/route-metadata';
import { createTestDatabase, dropDatabase } from '../../test/support/environment';
import { strongPassword } from '../../test/support/identities';
import { useTestApp } from '../../test/support/test-app';

describe('routes and their guards', () => {
  const app = useTestApp();
  it('every route of every registered router declares a guard (public routes say so)', async () => {
    const runtime = app.runtime;
    const routes = runtime.routers.flatMap((router) => declaredRoutes(router));
    expect(routes.length).to.be.greaterThan(10);
    const unguarded = routes
      .filter((route) => !route.guard)
      .map((route) => `${route.methods.join(',')} ${route.path}`);
    expect(unguarded, 'routes without a guard').to.deep.equal([]);
    const guardOf = (path: string) => routes.find((route) => route.path === path)?.guard;
    expect(guardOf('/auth/login')).to.equal('public');
    expect(guardOf('/me')).to.equal('authenticated');
    expect(guardOf('/admin/users')).to.equal('aal2');
  });

  it('answers 401 without a token and 403 for the wrong role', async () => {
    expect((await app.http().get('/v1/me')).status).to.equal(401);
    const patient = await app.patient();
    const response = await app
      .http()
      .post('/v1/admin/users')
      .set(patient.headers)
      .send({ email: 'a@b.test', role: 'admin' });
    expect(response.status).to.equal(403);
    expect(response.type).to.equal('application/problem+json');
  });
});

describe('bad input on the auth endpoints', () => {
  const app = useTestApp();
  it('answers non-JSON bodies 415, malformed JSON 400, oversized bodies 413, missing fields 422', async () => {
    const login = () => app.http().post('/v1/auth/login');
    expect((await login().set('Content-Type', 'text/plain').send('email=a')).status).to.equal(415);
    const malformed = await login().set('Content-Type', 'application/json').send('{"email": ');
    expect(malformed.status).to.equal(400);
    expect(malformed.body.code).to.equal('malformed_json');
    const huge = await login().send({ email: 'a@b.test', password: 'x'.repeat(200_000) });
    expect(huge.status).to.equal(413);
    const missing = await login().send({ email: 'not-an-email' });
    expect(missing.status).to.equal(422);
    expect((missing.body.errors as { pointer: string }[]).map((e) => e.pointer)).to.include.members([
      '#/body/email',
      '#/body/password',
    ]);
    expect((await login().send({ email: 'a@b.test', password: 'x', extra: true })).status).to.equal(422);
    expect((await login().send([1, 2])).status).to.equal(422);
    for (const response of [malformed, huge, missing])
      expect(response.type).to.equal('application/problem+json');
  });
});

describe('npm run admin:create', () => {
  it('creates the first admin from ADMIN_PASSWORD and refuses a weak password', async function () {
    this.timeout(60_000);
    const url = await createTestDatabase('cli');
    const email = `first.admin.${Date.now()}@carewatch.test`;
    const password = strongPassword();
    const env = { ...process.env };
    delete env.REDIS_URL;
    try {
      const { stdout } = await promisify(execFile)(
        'npx',
        ['tsx', 'service/src/accounts/create-admin-cli.ts', '--email', email],
        {
          env: { ...env, DATABASE_URL: url, ADMIN_PASSWORD: password },
        },
      );
      expect(stdout).to.match(/Admin account created: [0-9a-f-]{36}/);
      const client = new Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query<{ role: string; password_hash: string }>(
        'SELECT role, password_hash FROM users WHERE email = $1',
        [email],
      );
      await client.end();
      expect(rows[0]?.role).to.equal('admin');
      expect(rows[0]?.password_hash).to.match(/^\$argon2id\$/);
      const failed = await promisify(execFile)(
        'npx',
        ['tsx', 'service/src/accounts/create-admin-cli.ts', '--email', email],
        {
          env: { ...env, DATABASE_URL: url, ADMIN_PASSWORD: 'short' },
        },
      ).catch((error: { code: number; stderr: string }) => error);
      expect(failed).to.include({ code: 1 });
      expect((failed as { stderr: string }).stderr).to.match(/at least 12 characters/);
    } finally {
      await dropDatabase(url);
    }
  });
});
