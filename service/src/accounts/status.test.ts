import { expect } from 'chai';
import { securityEventsOf } from '../../test/support/http';
import { type Identity } from '../../test/support/identities';
import { AccountStatusResponse } from './schemas';
import { useTestApp } from '../../test/support/test-app';

describe('disabling and enabling accounts (POST /v1/admin/users/:id/disable|enable)', () => {
  const app = useTestApp();
  let admin: Identity;

  before(async function () {
    this.timeout(30_000);
    admin = await app.admin();
  });

  const change = (userId: string, to: 'disable' | 'enable', who: Identity = admin) =>
    app.http().post(`/v1/admin/users/${userId}/${to}`).set(who.headers);
  const login = (who: Identity) =>
    app.http().post('/v1/auth/login').send({ email: who.email, password: who.password });

  it('stops every session of the account at once, refuses its login, and enabling restores login', async () => {
    const patient = await app.patient();
    const otherSession = (await login(patient)).body as { accessToken: string; refreshToken: string };
    // Each token has been used, so its session sits in the cache: revocation must reach past it.
    expect((await app.http().get('/v1/patients/me').set(patient.headers)).status).to.equal(200);
    const other = { Authorization: `Bearer ${otherSession.accessToken}` };
    expect((await app.http().get('/v1/patients/me').set(other)).status).to.equal(200);

    const disabled = await change(patient.userId, 'disable');
    expect(disabled.status).to.equal(200);
    expect(AccountStatusResponse.parse(disabled.body)).to.deep.equal({
      id: patient.userId,
      role: 'patient',
      status: 'disabled',
    });
    for (const headers of [patient.headers, other]) {
      const refused = await app.http().get('/v1/patients/me').set(headers);
      expect(refused.status).to.equal(401);
      expect(refused.body.code).to.equal('invalid_token');
    }
    const refresh = await app
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: otherSession.refreshToken });
    expect(refresh.status).to.equal(401);
    expect((await login(patient)).status).to.equal(401);

    const enabled = await change(patient.userId, 'enable');
    expect(enabled.status).to.equal(200);
    expect(enabled.body.status).to.equal('active');
    // The revoked sessions stay revoked; a new login works.
    expect((await app.http().get('/v1/patients/me').set(patient.headers)).status).to.equal(401);
    const again = await login(patient);
    expect(again.status).to.equal(200);
    const fresh = { Authorization: `Bearer ${(again.body as { accessToken: string }).accessToken}` };
    expect((await app.http().get('/v1/patients/me').set(fresh)).status).to.equal(200);

    const events = (await securityEventsOf(app.runtime, patient.userId)).filter((event) =>
      event.event_type.startsWith('auth.account_'),
    );
    expect(events.map((event) => [event.event_type, event.outcome, event.details])).to.deep.equal([
      ['auth.account_created', 'success', { role: 'patient' }],
      ['auth.account_disabled', 'success', { sessionsRevoked: 2 }],
      ['auth.account_enabled', 'success', {}],
    ]);
  });

  it('disables staff the same way, and is idempotent', async () => {
    const provider = await app.provider({ admin });
    expect((await change(provider.userId, 'disable')).status).to.equal(200);
    const again = await change(provider.userId, 'disable');
    expect(again.status).to.equal(200);
    expect(again.body).to.deep.equal({ id: provider.userId, role: 'provider', status: 'disabled' });
    expect((await app.http().get('/v1/providers/me').set(provider.headers)).status).to.equal(401);
    expect((await change(provider.userId, 'enable')).body.status).to.equal('active');
    expect((await change(provider.userId, 'enable')).body.status).to.equal('active');
  });

  it('refuses to disable oneself (409), an unknown account (404) and a malformed id (422)', async () => {
    const self = await change(admin.userId, 'disable');
    expect(self.status).to.equal(409);
    expect(self.body.code).to.equal('cannot_disable_self');
    expect((await app.http().get('/v1/providers/me').set(admin.headers)).status).to.equal(403);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await change(unknown, 'disable')).status).to.equal(404);
    expect((await change(unknown, 'enable')).status).to.equal(404);
    for (const to of ['disable', 'enable'] as const) {
      const malformed = await change('not-a-uuid', to);
      expect(malformed.status).to.equal(422);
      expect(malformed.type).to.equal('application/problem+json');
    }
    // The admin was not disabled by the refused request.
    expect(
      (await app.http().get('/v1/admin/reports/volume?from=2000-01-01&to=2000-01-01').set(admin.headers))
        .status,
    ).to.equal(200);
  });
});
