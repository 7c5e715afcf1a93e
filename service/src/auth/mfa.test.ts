import { QueryTypes } from 'sequelize';
import { expect } from 'chai';
import { api, securityEventsOf } from '../../test/support/http';
import {
  createAdmin,
  createPatient,
  createProvider,
  signIn,
  type Identity,
} from '../../test/support/identities';
import { type TestRuntime } from '../../test/support/runtime';
import { totpCode } from './totp';
import { useTestApp } from '../../test/support/test-app';

const passwordLogin = (runtime: TestRuntime, who: Identity) =>
  api(runtime).post('/v1/auth/login').send({ email: who.email, password: who.password });
const verify = (runtime: TestRuntime, mfaToken: unknown, factor: { code?: string; recoveryCode?: string }) =>
  api(runtime)
    .post('/v1/auth/mfa/verify')
    .send({ mfaToken, ...factor });

describe('multi-factor authentication', () => {
  const app = useTestApp();
  it('enrolls TOTP: an otpauth URI, the secret encrypted at rest, ten recovery codes, the session at aal2', async () => {
    const runtime = app.runtime;
    const patient = await createPatient(runtime);
    const started = await api(runtime).post('/v1/auth/mfa/totp').set(patient.headers).send({});
    expect(started.status).to.equal(201);
    expect(started.body.otpauthUri).to.match(/^otpauth:\/\/totp\/Carewatch:.+\?.*secret=[A-Z2-7]+/);
    const secret = started.body.secret as string;
    const [factor] = await runtime.sequelize.query<{ secret_ciphertext: string }>(
      'SELECT secret_ciphertext FROM mfa_factors WHERE user_id = $1',
      { bind: [patient.userId], type: QueryTypes.SELECT },
    );
    expect(factor!.secret_ciphertext).to.match(/^v1\./).and.not.include(secret);
    const wrong = await api(runtime)
      .post('/v1/auth/mfa/totp/confirm')
      .set(patient.headers)
      .send({ code: totpCode(secret, Date.now() - 600_000) });
    expect(wrong.status).to.equal(422);
    const confirmed = await api(runtime)
      .post('/v1/auth/mfa/totp/confirm')
      .set(patient.headers)
      .send({ code: totpCode(secret) });
    expect(confirmed.status).to.equal(200);
    expect(confirmed.body.recoveryCodes).to.have.length(10);
    expect(new Set(confirmed.body.recoveryCodes as string[]).size).to.equal(10);
    expect((await api(runtime).get('/v1/me').set(patient.headers)).body.session.aal).to.equal('aal2');
    expect((await securityEventsOf(runtime, patient.userId)).map((e) => e.event_type)).to.include(
      'auth.mfa_enrolled',
    );
    expect((await api(runtime).post('/v1/auth/mfa/totp').set(patient.headers).send({})).status).to.equal(409);
  });

  it('refuses to confirm when no enrollment is pending (none started, or already confirmed) with 422', async () => {
    const runtime = app.runtime;
    const confirm = (who: Identity, code: string) =>
      api(runtime).post('/v1/auth/mfa/totp/confirm').set(who.headers).send({ code });
    const [never, enrolled] = [await createPatient(runtime), await createPatient(runtime, { withMfa: true })];
    for (const response of [
      await confirm(never, '123456'),
      await confirm(enrolled, (await enrolled.nextTotpCode())!),
    ]) {
      expect(response.status).to.equal(422);
      expect(response.type).to.equal('application/problem+json');
      expect(response.body.errors).to.deep.equal([
        { pointer: '#/body/code', detail: 'there is no enrollment to confirm' },
      ]);
    }
  });

  it('logs in with MFA: the password gives a challenge (no tokens), the code completes it at aal2', async function () {
    // Its third TOTP code (enrollment counts) may wait for the next 30 s window.
    this.timeout(60_000);
    const runtime = app.runtime;
    const provider = await createProvider(runtime);
    const login = await passwordLogin(runtime, provider);
    expect(login.status).to.equal(200);
    expect(login.body).to.have.keys('status', 'mfaToken', 'expiresIn');
    expect(login.body.status).to.equal('mfa_required');
    const code = (await provider.nextTotpCode())!;
    const verified = await verify(runtime, login.body.mfaToken, { code });
    expect(verified.status).to.equal(200);
    expect(verified.body.aal).to.equal('aal2');
    // The same code is refused the second time, even with a fresh challenge.
    const again = await passwordLogin(runtime, provider);
    const replay = await verify(runtime, again.body.mfaToken, { code });
    expect(replay.status).to.equal(401);
    expect(replay.body.code).to.equal('invalid_mfa_code');
    // A spent challenge cannot be completed twice.
    const spent = await verify(runtime, login.body.mfaToken, { code: await provider.nextTotpCode() });
    expect(spent.status).to.equal(401);
    expect(spent.body.code).to.equal('mfa_challenge_invalid');
  });

  it('accepts one of two concurrent verifications of the same code', async () => {
    const runtime = app.runtime;
    const provider = await createProvider(runtime);
    const challenges = await Promise.all([1, 2].map(() => passwordLogin(runtime, provider)));
    const code = await provider.nextTotpCode();
    const results = await Promise.all(challenges.map((c) => verify(runtime, c.body.mfaToken, { code })));
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 401]);
  });

  it('spends a challenge once: of a code and a recovery code sent with it at once, one logs in', async () => {
    const runtime = app.runtime;
    const provider = await createProvider(runtime);
    const login = await passwordLogin(runtime, provider);
    const results = await Promise.all([
      verify(runtime, login.body.mfaToken, { code: await provider.nextTotpCode() }),
      verify(runtime, login.body.mfaToken, { recoveryCode: provider.recoveryCodes![0]! }),
    ]);
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 401]);
    expect(results.find((r) => r.status === 401)!.body.code).to.equal('mfa_challenge_invalid');
  });

  it('refuses an expired challenge, and the next login clears expired ones away', async () => {
    const runtime = app.runtime;
    const provider = await createProvider(runtime);
    const login = await passwordLogin(runtime, provider);
    const challengesOf = async () =>
      (
        await runtime.sequelize.query<{ count: number }>(
          'SELECT count(*)::int AS count FROM mfa_challenges WHERE user_id = $1',
          { bind: [provider.userId], type: QueryTypes.SELECT },
        )
      )[0]!.count;
    expect(await challengesOf()).to.equal(1);
    await runtime.sequelize.query(
      `UPDATE mfa_challenges SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      { bind: [provider.userId] },
    );
    const late = await verify(runtime, login.body.mfaToken, { recoveryCode: provider.recoveryCodes![0]! });
    expect(late.status).to.equal(401);
    expect(late.body.code).to.equal('mfa_challenge_invalid');

    const fresh = await passwordLogin(runtime, provider);
    expect(await challengesOf()).to.equal(1);
    expect(
      (await verify(runtime, fresh.body.mfaToken, { recoveryCode: provider.recoveryCodes![0]! })).status,
    ).to.equal(200);
    expect(await challengesOf()).to.equal(0);
  });

  it('accepts a recovery code once', async () => {
    const runtime = app.runtime;
    const provider = await createProvider(runtime);
    const recoveryCode = provider.recoveryCodes![0]!;
    const use = async () => {
      const login = await passwordLogin(runtime, provider);
      return verify(runtime, login.body.mfaToken, { recoveryCode: recoveryCode.toUpperCase() });
    };
    expect((await use()).status).to.equal(200);
    expect((await use()).status).to.equal(401);
  });

  it('lets an aal2 admin create accounts and refuses a patient (403)', async () => {
    const runtime = app.runtime;
    const admin = await createAdmin(runtime);
    const login = await passwordLogin(runtime, admin);
    const verified = await verify(runtime, login.body.mfaToken, { code: await admin.nextTotpCode() });
    const body = { email: `staff.${Date.now()}@carewatch.test`, role: 'admin' };
    expect(
      (
        await api(runtime)
          .post('/v1/admin/users')
          .set('Authorization', `Bearer ${verified.body.accessToken}`)
          .send(body)
      ).status,
    ).to.equal(201);
    const patient = await createPatient(runtime);
    expect((await api(runtime).post('/v1/admin/users').set(patient.headers).send(body)).status).to.equal(403);
  });

  it('requires a recent step-up for MFA changes; password or code re-authenticates', async function () {
    // Its third TOTP code (enrollment counts) may wait for the next 30 s window.
    this.timeout(60_000);
    const runtime = app.runtime;
    const provider = await createProvider(runtime);
    const stale = async () => {
      await runtime.sequelize.query(
        `UPDATE sessions SET step_up_at = now() - interval '10 minutes' WHERE user_id = $1`,
        { bind: [provider.userId] },
      );
      await runtime.sessions.forget([
        (await api(runtime).get('/v1/me').set(provider.headers)).body.session.id,
      ]);
    };
    await stale();
    const refused = await api(runtime).post('/v1/auth/mfa/recovery-codes').set(provider.headers).send({});
    expect(refused.status).to.equal(403);
    expect(refused.body.code).to.equal('step_up_required');
    expect(
      (
        await api(runtime)
          .post('/v1/auth/step-up')
          .set(provider.headers)
          .send({ password: 'wrong-password-123' })
      ).status,
    ).to.equal(401);
    expect(
      (
        await api(runtime)
          .post('/v1/auth/step-up')
          .set(provider.headers)
          .send({ password: provider.password })
      ).status,
    ).to.equal(200);
    const codes = await api(runtime).post('/v1/auth/mfa/recovery-codes').set(provider.headers).send({});
    expect(codes.status).to.equal(200);
    expect(codes.body.recoveryCodes).to.have.length(10);
    await stale();
    expect(
      (
        await api(runtime)
          .post('/v1/auth/step-up')
          .set(provider.headers)
          .send({ code: await provider.nextTotpCode() })
      ).status,
    ).to.equal(200);
    expect(
      (await api(runtime).post('/v1/auth/mfa/recovery-codes').set(provider.headers).send({})).status,
    ).to.equal(200);
    // The old recovery codes died with the regeneration.
    const login = await passwordLogin(runtime, provider);
    const old = await verify(runtime, login.body.mfaToken, { recoveryCode: provider.recoveryCodes![1] });
    expect(old.status).to.equal(401);
    await signIn(runtime, provider);
  });

  it('answers an aal1 provider 403 mfa_required on aal2 routes', async () => {
    const runtime = app.runtime;
    const admin = await createAdmin(runtime);
    // Simulate an admin whose session stands at aal1 (logged in before enrolling).
    await runtime.sequelize.query(`UPDATE sessions SET aal = 'aal1' WHERE user_id = $1`, {
      bind: [admin.userId],
    });
    await runtime.sessions.forget([(await api(runtime).get('/v1/me').set(admin.headers)).body.session.id]);
    const response = await api(runtime)
      .post('/v1/admin/users')
      .set(admin.headers)
      .send({ email: `x.${Date.now()}@carewatch.test`, role: 'admin' });
    expect(response.status).to.equal(403);
    expect(response.body.code).to.equal('mfa_required');
  });
});
