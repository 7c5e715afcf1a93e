import { QueryTypes } from 'sequelize';
import { expect } from 'chai';
import { securityEventsOf } from '../../test/support/http';
import { strongPassword } from '../../test/support/identities';
import { useTestApp } from '../../test/support/test-app';

const registration = (email: string, password: string) => ({
  email,
  password,
  givenName: 'Ada',
  familyName: 'Lovelace',
  dateOfBirth: '1990-12-10',
});
const uniqueEmail = () => `reg.${Date.now()}.${Math.random().toString(36).slice(2)}@carewatch.test`;

describe('registration and passwords', () => {
  const app = useTestApp();
  it('registers a patient: one users row with an argon2id (OWASP) hash and one patients row', async () => {
    const runtime = app.runtime;
    const email = uniqueEmail();
    const response = await app.http().post('/v1/auth/register').send(registration(email, strongPassword()));
    expect(response.status).to.equal(201);
    expect(response.body).to.have.keys('id', 'email', 'role', 'createdAt');
    expect(response.body.role).to.equal('patient');
    const [row] = await runtime.sequelize.query<{ password_hash: string; given_name: string }>(
      'SELECT u.password_hash, p.given_name FROM users u JOIN patients p ON p.user_id = u.id WHERE u.id = $1',
      { bind: [response.body.id], type: QueryTypes.SELECT },
    );
    expect(row?.password_hash).to.match(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(row?.given_name).to.equal('Ada');
  });

  it('refuses a second account with the same email, whatever its case (409)', async () => {
    const email = uniqueEmail();
    expect(
      (await app.http().post('/v1/auth/register').send(registration(email, strongPassword()))).status,
    ).to.equal(201);
    const again = await app
      .http()
      .post('/v1/auth/register')
      .send(registration(email.toUpperCase(), strongPassword()));
    expect(again.status).to.equal(409);
    expect(again.type).to.equal('application/problem+json');
  });

  for (const [why, password, detail] of [
    ['shorter than 12 characters', 'Sh0rt!pw', /at least 12/],
    ['longer than 128 characters', 'x'.repeat(129), /at most 128/],
    ['in the common-passwords list', 'iloveyou12345', /too common/],
    ['a common password padded with digits', 'password12345!', /too common/],
    ['a common password of 12+ characters', 'qwertyuiop123', /too common/],
  ] as const) {
    it(`refuses a password ${why} (422, no account created)`, async () => {
      const runtime = app.runtime;
      const email = uniqueEmail();
      const response = await app.http().post('/v1/auth/register').send(registration(email, password));
      expect(response.status).to.equal(422);
      expect(response.body.errors).to.deep.include.members([
        { pointer: '#/body/password', detail: response.body.errors[0].detail },
      ]);
      expect(response.body.errors[0].detail).to.match(detail);
      expect(JSON.stringify(response.body)).not.to.include(password);
      expect(await runtime.models.User.count({ where: { email } })).to.equal(0);
    });
  }

  it('refuses invalid demographics with 422 field problems that never echo the value', async () => {
    const body = {
      ...registration(uniqueEmail(), strongPassword()),
      dateOfBirth: '2999-01-01',
      phone: '555 1234',
    };
    const response = await app.http().post('/v1/auth/register').send(body);
    expect(response.status).to.equal(422);
    const pointers = (response.body.errors as { pointer: string }[]).map((e) => e.pointer);
    expect(pointers).to.include.members(['#/body/dateOfBirth', '#/body/phone']);
    expect(JSON.stringify(response.body)).not.to.include('2999-01-01');
  });

  it('answers an unknown email and a wrong password identically (no account enumeration)', async () => {
    const runtime = app.runtime;
    const patient = await app.patient();
    const wrongPassword = await app
      .http()
      .post('/v1/auth/login')
      .send({ email: patient.email, password: 'not-the-password-1' });
    const unknownEmail = await app
      .http()
      .post('/v1/auth/login')
      .send({ email: uniqueEmail(), password: 'not-the-password-1' });
    for (const response of [wrongPassword, unknownEmail]) {
      expect(response.status).to.equal(401);
      expect(response.type).to.equal('application/problem+json');
    }
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined });
    expect(strip(wrongPassword.body as Record<string, unknown>)).to.deep.equal(
      strip(unknownEmail.body as Record<string, unknown>),
    );
    const events = await securityEventsOf(runtime, patient.userId);
    expect(events.map((e) => e.event_type)).to.include('auth.login_failed');
  });

  it('logs in with the right password and answers tokens that are never cached', async () => {
    const patient = await app.patient();
    const response = await app
      .http()
      .post('/v1/auth/login')
      .send({ email: patient.email.toUpperCase(), password: patient.password });
    expect(response.status).to.equal(200);
    expect(response.headers['cache-control']).to.equal('no-store');
    expect(response.body).to.include({
      status: 'authenticated',
      tokenType: 'Bearer',
      expiresIn: 900,
      aal: 'aal1',
    });
    expect(response.body.refreshToken).to.match(/^[A-Za-z0-9_-]{43}$/);
    const me = await app.http().get('/v1/me').set('Authorization', `Bearer ${response.body.accessToken}`);
    expect(me.status).to.equal(200);
    expect(me.body).to.include({ id: patient.userId, role: 'patient' });
  });

  it('writes security events through the audit recorder: user agent cut to 256 characters, and counted', async () => {
    const runtime = app.runtime;
    const patient = await app.patient();
    const failuresCounted = async () =>
      (await runtime.metrics.audit.events.get()).values
        .filter((value) => value.labels.action === 'security' && value.labels.outcome === 'denied')
        .reduce((sum, value) => sum + value.value, 0);
    const before = await failuresCounted();
    const response = await app
      .http()
      .post('/v1/auth/login')
      .set('User-Agent', 'x'.repeat(1000))
      .send({ email: patient.email, password: `${patient.password}-wrong` });
    expect(response.status).to.equal(401);
    const [row] = await runtime.sequelize.query<{ user_agent: string; patient_ids: string[] }>(
      `SELECT user_agent, patient_ids FROM audit_events
        WHERE event_type = 'auth.login_failed' AND $1 = ANY(resource_ids) ORDER BY seq DESC LIMIT 1`,
      { bind: [patient.userId], type: QueryTypes.SELECT },
    );
    expect(row?.user_agent).to.have.length(256);
    expect(row?.patient_ids).to.deep.equal([]);
    expect(await failuresCounted()).to.equal(before + 1);
  });

  it('writes security events without emails or other PHI', async () => {
    const runtime = app.runtime;
    const patient = await app.patient();
    const [rows] = await runtime.sequelize.query(
      `SELECT row_to_json(a)::text AS row FROM audit_events a WHERE $1 = ANY(resource_ids)`,
      {
        bind: [patient.userId],
      },
    );
    expect(rows).to.have.length.greaterThan(1);
    const text = JSON.stringify(rows);
    expect(text).not.to.include(patient.email);
    expect(text).not.to.include('Patient');
    expect(text).not.to.include(patient.password);
  });
});
