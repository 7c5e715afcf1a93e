import { QueryTypes } from 'sequelize';
import { expect } from 'chai';
import { api, securityEventsOf } from '../../test/support/http';
import { createPatient, createProvider } from '../../test/support/identities';
import { useTestApp } from '../../test/support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('lockout and rate limits', () => {
  const app = useTestApp();
  it('locks an account after repeated failures, even against the right password, with growing backoff', async () => {
    const runtime = await app.variant({
      RATE_LIMIT_ACCOUNT_FAILURES: '3',
      RATE_LIMIT_LOCKOUT_SECONDS: '1',
    });
    const patient = await createPatient(runtime);
    const login = (password: string) =>
      api(runtime).post('/v1/auth/login').send({ email: patient.email, password });
    for (let i = 0; i < 3; i += 1) expect((await login('wrong-password-123')).status).to.equal(401);
    const locked = await login(patient.password);
    expect(locked.status).to.equal(429);
    expect(locked.body.code).to.equal('account_locked');
    expect(locked.headers['retry-after']).to.equal('1');
    await sleep(1100);
    for (let i = 0; i < 3; i += 1) expect((await login('wrong-password-123')).status).to.equal(401);
    expect((await login(patient.password)).headers['retry-after']).to.equal('2');
    const lockouts = (await securityEventsOf(runtime, patient.userId)).filter(
      (e) => e.event_type === 'auth.lockout',
    );
    expect(lockouts.map((e) => e.details)).to.deep.equal([
      { scope: 'account', seconds: 1 },
      { scope: 'account', seconds: 2 },
    ]);
    expect(
      (await runtime.metrics.auth.lockouts.get()).values.find((v) => v.labels.scope === 'account')?.value,
    ).to.equal(2);
    await sleep(2100);
    expect((await login(patient.password)).status).to.equal(200);
  });

  it('locks unknown emails the same way (a lockout reveals nothing)', async () => {
    const runtime = await app.variant({ RATE_LIMIT_ACCOUNT_FAILURES: '2' });
    const email = `nobody.${Date.now()}@carewatch.test`;
    const attempt = () => api(runtime).post('/v1/auth/login').send({ email, password: 'whatever-pass-1' });
    expect([(await attempt()).status, (await attempt()).status, (await attempt()).status]).to.deep.equal([
      401, 401, 429,
    ]);
  });

  it('counts wrong MFA codes towards the same lockout', async () => {
    const runtime = await app.variant({ RATE_LIMIT_ACCOUNT_FAILURES: '3' });
    const provider = await createProvider(runtime);
    const login = await api(runtime)
      .post('/v1/auth/login')
      .send({ email: provider.email, password: provider.password });
    const verify = (code: string) =>
      api(runtime).post('/v1/auth/mfa/verify').send({ mfaToken: login.body.mfaToken, code });
    expect([
      (await verify('000000')).status,
      (await verify('000001')).status,
      (await verify('000002')).status,
    ]).to.deep.equal([401, 401, 401]);
    const locked = await verify((await provider.nextTotpCode())!);
    expect(locked.status).to.equal(429);
    expect(Number(locked.headers['retry-after'])).to.be.greaterThan(0);
    expect(
      (await api(runtime).post('/v1/auth/login').send({ email: provider.email, password: provider.password }))
        .status,
    ).to.equal(429);
    expect((await securityEventsOf(runtime, provider.userId)).map((e) => e.event_type)).to.include.members([
      'auth.mfa_failed',
      'auth.lockout',
    ]);
  });

  it('limits attempts per source address with 429 and Retry-After, recorded once as a lockout', async () => {
    const runtime = await app.variant({ RATE_LIMIT_ADDRESS_POINTS: '3', RATE_LIMIT_ADDRESS_WINDOW: '60' });
    const attempt = () =>
      api(runtime)
        .post('/v1/auth/login')
        .send({ email: `x.${Math.random()}@carewatch.test`, password: 'whatever-pass-1' });
    const statuses = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await attempt()).status);
    expect(statuses).to.deep.equal([401, 401, 401, 429, 429]);
    const limited = await attempt();
    expect(limited.type).to.equal('application/problem+json');
    expect(Number(limited.headers['retry-after'])).to.be.within(1, 60);
    const [row] = await runtime.sequelize.query<{ count: string }>(
      `SELECT count(*) FROM audit_events WHERE event_type = 'auth.lockout' AND details->>'scope' = 'address' AND occurred_at > now() - interval '1 minute'`,
      { type: QueryTypes.SELECT },
    );
    expect(Number(row!.count)).to.be.greaterThan(0);
  });
});
