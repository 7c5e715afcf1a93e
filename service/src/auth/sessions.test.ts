import { QueryTypes } from 'sequelize';
import { expect } from 'chai';
import { api, securityEventsOf } from '../../test/support/http';
import { createPatient, type Identity } from '../../test/support/identities';
import { type TestRuntime } from '../../test/support/runtime';
import { useTestApp } from '../../test/support/test-app';

const refresh = (runtime: TestRuntime, refreshToken: string) =>
  api(runtime).post('/v1/auth/refresh').send({ refreshToken });
const me = (runtime: TestRuntime, who: Pick<Identity, 'headers'>) =>
  api(runtime).get('/v1/me').set(who.headers);
const reuseCount = async (runtime: TestRuntime) =>
  (await runtime.metrics.auth.refreshReuseDetected.get()).values[0]?.value ?? 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sessions and refresh tokens', () => {
  const app = useTestApp();
  it('rotates the refresh token on every use; the new pair works', async () => {
    const runtime = app.runtime;
    const patient = await createPatient(runtime);
    const first = await refresh(runtime, patient.refreshToken);
    expect(first.status).to.equal(200);
    expect(first.body.refreshToken).not.to.equal(patient.refreshToken);
    const second = await refresh(runtime, first.body.refreshToken as string);
    expect(second.status).to.equal(200);
    expect(
      (await api(runtime).get('/v1/me').set('Authorization', `Bearer ${second.body.accessToken}`)).status,
    ).to.equal(200);
  });

  it('revokes the whole family when a rotated token comes back after the grace window, and records it', async () => {
    const runtime = await app.variant({ REFRESH_REUSE_GRACE_SECONDS: '0' });
    const patient = await createPatient(runtime);
    const rotated = await refresh(runtime, patient.refreshToken);
    expect(rotated.status).to.equal(200);
    const before = await reuseCount(runtime);
    await sleep(1100);
    const reuse = await refresh(runtime, patient.refreshToken);
    expect(reuse.status).to.equal(401);
    expect(reuse.body.code).to.equal('invalid_refresh_token');
    // The thief's copy and the legitimate holder's new token both die with the session.
    expect((await refresh(runtime, rotated.body.refreshToken as string)).status).to.equal(401);
    expect(
      (await api(runtime).get('/v1/me').set('Authorization', `Bearer ${rotated.body.accessToken}`)).status,
    ).to.equal(401);
    expect((await me(runtime, patient)).status).to.equal(401);
    expect((await reuseCount(runtime)) - before).to.equal(1);
    expect((await securityEventsOf(runtime, patient.userId)).map((e) => e.event_type)).to.include(
      'auth.refresh_reuse',
    );
    const [session] = await runtime.sequelize.query<{ revoked_reason: string }>(
      'SELECT revoked_reason FROM sessions WHERE user_id = $1',
      { bind: [patient.userId], type: QueryTypes.SELECT },
    );
    expect(session?.revoked_reason).to.equal('refresh_reuse');
  });

  it('lets two tabs refresh the same token at once within the grace window: both get working tokens', async () => {
    const runtime = app.runtime;
    const patient = await createPatient(runtime);
    const [a, b] = await Promise.all([
      refresh(runtime, patient.refreshToken),
      refresh(runtime, patient.refreshToken),
    ]);
    expect([a.status, b.status]).to.deep.equal([200, 200]);
    expect(a.body.refreshToken).not.to.equal(b.body.refreshToken);
    const [a2, b2] = await Promise.all([
      refresh(runtime, a.body.refreshToken as string),
      refresh(runtime, b.body.refreshToken as string),
    ]);
    expect([a2.status, b2.status]).to.deep.equal([200, 200]);
  });

  it('refuses unknown refresh tokens and malformed bodies', async () => {
    const runtime = app.runtime;
    expect((await refresh(runtime, 'A'.repeat(43))).status).to.equal(401);
    expect((await api(runtime).post('/v1/auth/refresh').send({})).status).to.equal(422);
    expect((await api(runtime).post('/v1/auth/refresh').send({ refreshToken: 'short' })).status).to.equal(
      422,
    );
  });

  it('logout ends the session at once: its unexpired access token and its refresh token stop working', async () => {
    const runtime = app.runtime;
    const patient = await createPatient(runtime);
    expect((await me(runtime, patient)).status).to.equal(200);
    expect((await api(runtime).post('/v1/auth/logout').set(patient.headers).send({})).status).to.equal(204);
    expect((await me(runtime, patient)).status).to.equal(401);
    expect((await refresh(runtime, patient.refreshToken)).status).to.equal(401);
    expect((await securityEventsOf(runtime, patient.userId)).map((e) => e.event_type)).to.include(
      'auth.logout',
    );
  });

  it('logout everywhere ends every session of the account, and only of that account', async () => {
    const runtime = app.runtime;
    const patient = await createPatient(runtime);
    const other = await createPatient(runtime);
    const second = await api(runtime)
      .post('/v1/auth/login')
      .send({ email: patient.email, password: patient.password });
    const secondHeaders = { headers: { Authorization: `Bearer ${second.body.accessToken}` } };
    expect((await api(runtime).post('/v1/auth/logout-all').set(patient.headers).send({})).status).to.equal(
      204,
    );
    expect((await me(runtime, patient)).status).to.equal(401);
    expect((await me(runtime, secondHeaders)).status).to.equal(401);
    expect((await me(runtime, other)).status).to.equal(200);
  });

  it('ends a session after the idle timeout, and activity (a refresh) keeps it alive', async () => {
    const runtime = await app.variant({ SESSION_IDLE_TIMEOUT: '2' });
    const idle = await createPatient(runtime);
    const active = await createPatient(runtime);
    await sleep(1200);
    const kept = await refresh(runtime, active.refreshToken);
    expect(kept.status).to.equal(200);
    await sleep(1200);
    expect((await me(runtime, idle)).status).to.equal(401);
    expect((await refresh(runtime, idle.refreshToken)).status).to.equal(401);
    expect(
      (await api(runtime).get('/v1/me').set('Authorization', `Bearer ${kept.body.accessToken}`)).status,
    ).to.equal(200);
  });

  it('ends a session at the absolute timeout even while it is in use', async () => {
    const runtime = await app.variant({ SESSION_ABSOLUTE_TIMEOUT: '2' });
    const patient = await createPatient(runtime);
    expect((await me(runtime, patient)).status).to.equal(200);
    await sleep(2100);
    expect((await me(runtime, patient)).status).to.equal(401);
    expect((await refresh(runtime, patient.refreshToken)).status).to.equal(401);
  });

  it('writes last_seen_at at most once a minute, not on every request', async () => {
    const runtime = app.runtime;
    const patient = await createPatient(runtime);
    const lastSeen = async () =>
      (
        await runtime.sequelize.query<{ last_seen_at: Date }>(
          'SELECT last_seen_at FROM sessions WHERE user_id = $1',
          { bind: [patient.userId], type: QueryTypes.SELECT },
        )
      )[0]!.last_seen_at.getTime();
    await me(runtime, patient);
    const first = await lastSeen();
    for (let i = 0; i < 5; i += 1) expect((await me(runtime, patient)).status).to.equal(200);
    expect(await lastSeen()).to.equal(first);
  });

  it('samples active sessions into the gauge on scrape', async () => {
    const runtime = app.runtime;
    await createPatient(runtime);
    const text = (await api(runtime).get('/metrics')).text;
    const value = Number(/^carewatch_auth_active_sessions (\d+)/m.exec(text)?.[1]);
    expect(value).to.be.greaterThan(0);
    expect(text).to.match(/carewatch_auth_logins_total\{method="password",result="success"\} [1-9]/);
  });
});
