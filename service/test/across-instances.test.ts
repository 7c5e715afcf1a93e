import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { runId } from './support/environment';
import { api } from './support/http';
import { createPatient, createProvider } from './support/identities';
import { sharedRuntime, variantRuntime, type TestRuntime } from './support/runtime';

/**
 * Instances behind a load balancer without sticky sessions: whichever instance answers, a token issued by
 * another works, a refresh rotates, and an MFA challenge begun on one completes on another.
 */
describe('several instances, no sticky sessions', function () {
  this.timeout(60_000);
  let first: TestRuntime;
  let second: TestRuntime;

  before(async () => {
    first = await sharedRuntime();
    // The same signing keys (configuration) and the same Redis namespace: another instance of one service.
    second = await variantRuntime({ REDIS_KEY_PREFIX: `carewatch-test:${runId}:`, TRUST_PROXY: 'true' });
  });
  after(async () => first.bindModels());

  it('accepts an access token from another instance and rotates its refresh token there', async () => {
    const patient = await createPatient(first);
    expect((await api(second).get('/v1/patients/me').set(patient.headers)).status).to.equal(200);
    const refreshed = await api(second).post('/v1/auth/refresh').send({ refreshToken: patient.refreshToken });
    expect(refreshed.status).to.equal(200);
    const bearer = { Authorization: `Bearer ${refreshed.body.accessToken}` };
    expect((await api(first).get('/v1/me').set(bearer)).status).to.equal(200);
    // The token it rotated to works on the first instance.
    const reuse = await api(first)
      .post('/v1/auth/refresh')
      .send({ refreshToken: refreshed.body.refreshToken });
    expect(reuse.status).to.equal(200);
    // A logout on one instance ends the session on the other at once (the cache entry is shared).
    expect(
      (
        await api(second)
          .post('/v1/auth/logout')
          .set({ Authorization: `Bearer ${reuse.body.accessToken}` })
      ).status,
    ).to.equal(204);
    expect(
      (
        await api(first)
          .get('/v1/me')
          .set({ Authorization: `Bearer ${reuse.body.accessToken}` })
      ).status,
    ).to.equal(401);
  });

  it('completes on one instance an MFA challenge begun on another', async () => {
    // The challenge is in PostgreSQL, which every instance shares, with or without Redis.
    const provider = await createProvider(first);
    const login = await api(first)
      .post('/v1/auth/login')
      .send({ email: provider.email, password: provider.password });
    expect(login.body.status).to.equal('mfa_required');
    const verified = await api(second)
      .post('/v1/auth/mfa/verify')
      .send({ mfaToken: login.body.mfaToken, code: await provider.nextTotpCode() });
    expect(verified.status).to.equal(200);
    expect(verified.body.aal).to.equal('aal2');
  });

  it('records the client address from X-Forwarded-For only where TRUST_PROXY is set', async () => {
    const forwarded = { 'X-Forwarded-For': '203.0.113.7' };
    const patient = await createPatient(first);
    for (const instance of [first, second])
      await api(instance)
        .post('/v1/auth/login')
        .set(forwarded)
        .send({ email: patient.email, password: patient.password });
    const addresses = await first.sequelize.query<{ ip: string }>(
      'SELECT ip FROM sessions WHERE user_id = $1 ORDER BY created_at',
      { bind: [patient.userId], type: QueryTypes.SELECT },
    );
    // The sign-up session, then one login through each instance: only the proxy-trusting one believed it.
    const [, direct, proxied] = addresses.map((row) => row.ip);
    expect(direct).to.match(/127\.0\.0\.1$/);
    expect(proxied).to.equal('203.0.113.7');
  });
});
