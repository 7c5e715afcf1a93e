import { QueryTypes } from 'sequelize';
import { expect } from 'chai';
import { securityEventsOf } from '../../test/support/http';
import { strongPassword } from '../../test/support/identities';
import { type TestRuntime } from '../../test/support/runtime';
import { useTestApp } from '../../test/support/test-app';

async function resetMessages(runtime: TestRuntime, userId: string) {
  return runtime.models.OutboxMessage.findAll({
    where: { topic: 'auth.password_reset', payload: { userId } },
    order: [['id', 'ASC']],
  });
}

describe('password reset', () => {
  const app = useTestApp();
  it('answers 202 alike for known and unknown emails; only a real account gets an outbox message', async () => {
    const runtime = app.runtime;
    const patient = await app.patient();
    const known = await app.http().post('/v1/auth/password-reset').send({ email: patient.email });
    const unknown = await app
      .http()
      .post('/v1/auth/password-reset')
      .send({ email: `nobody.${Date.now()}@carewatch.test` });
    expect([known.status, unknown.status]).to.deep.equal([202, 202]);
    expect(known.body).to.deep.equal(unknown.body);
    const [message] = await resetMessages(runtime, patient.userId);
    expect(message!.payload).to.have.keys('userId', 'token', 'expiresAt');
    expect(JSON.stringify(message!.payload)).not.to.include(patient.email);
    const [stored] = await runtime.sequelize.query<{ token_hash: string; minutes: number }>(
      `SELECT token_hash, extract(epoch FROM expires_at - created_at) / 60 AS minutes FROM password_resets WHERE user_id = $1`,
      { bind: [patient.userId], type: QueryTypes.SELECT },
    );
    expect(stored!.token_hash).not.to.equal(message!.payload.token);
    expect(Math.round(Number(stored!.minutes))).to.equal(30);
  });

  it('sets the new password once, ends every session, and refuses the token a second time', async () => {
    const runtime = app.runtime;
    const patient = await app.patient();
    await app.http().post('/v1/auth/password-reset').send({ email: patient.email });
    const token = (await resetMessages(runtime, patient.userId))[0]!.payload.token as string;
    const weak = await app
      .http()
      .post('/v1/auth/password-reset/confirm')
      .send({ token, newPassword: 'password123456' });
    expect(weak.status).to.equal(422);
    const newPassword = strongPassword();
    expect(
      (await app.http().post('/v1/auth/password-reset/confirm').send({ token, newPassword })).status,
    ).to.equal(204);
    expect((await app.http().get('/v1/me').set(patient.headers)).status).to.equal(401);
    expect(
      (await app.http().post('/v1/auth/refresh').send({ refreshToken: patient.refreshToken })).status,
    ).to.equal(401);
    expect(
      (await app.http().post('/v1/auth/login').send({ email: patient.email, password: patient.password }))
        .status,
    ).to.equal(401);
    expect(
      (await app.http().post('/v1/auth/login').send({ email: patient.email, password: newPassword })).status,
    ).to.equal(200);
    const reused = await app
      .http()
      .post('/v1/auth/password-reset/confirm')
      .send({ token, newPassword: strongPassword() });
    expect(reused.status).to.equal(401);
    expect(reused.body.code).to.equal('invalid_reset_token');
    expect((await securityEventsOf(runtime, patient.userId)).map((e) => e.event_type)).to.include(
      'auth.password_reset',
    );
  });

  it('refuses an expired token', async () => {
    const runtime = app.runtime;
    const patient = await app.patient();
    await app.http().post('/v1/auth/password-reset').send({ email: patient.email });
    const token = (await resetMessages(runtime, patient.userId))[0]!.payload.token as string;
    await runtime.sequelize.query(
      `UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      { bind: [patient.userId] },
    );
    expect(
      (
        await app
          .http()
          .post('/v1/auth/password-reset/confirm')
          .send({ token, newPassword: strongPassword() })
      ).status,
    ).to.equal(401);
  });
});
