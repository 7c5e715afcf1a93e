import { expect } from 'chai';
import { api } from '../../test/support/http';
import { createPatient } from '../../test/support/identities';
import { untilServedFromMemory, useTwoInstances } from '../../test/support/local-cache';
import { variantRuntime, type TestRuntime } from '../../test/support/runtime';

/** Asks for /v1/me until `runtime` answers it from its own memory. */
const servedFromMemory = (runtime: TestRuntime, headers: Record<string, string>) =>
  untilServedFromMemory(runtime, 'session_local', () => api(runtime).get('/v1/me').set(headers));

describe('session cache: in-process copies invalidated through Redis', () => {
  const instances = useTwoInstances();

  it('answers from memory, and a logout on one instance is a 401 on the next request to the other', async () => {
    const { one, other } = instances;
    const patient = await createPatient(one);
    await servedFromMemory(other, patient.headers);
    await servedFromMemory(one, patient.headers);

    expect((await api(one).post('/v1/auth/logout').set(patient.headers).send({})).status).to.equal(204);

    const afterwards = await api(other).get('/v1/me').set(patient.headers);
    expect(afterwards.status).to.equal(401);
    expect((await api(one).get('/v1/me').set(patient.headers)).status).to.equal(401);
  });

  it('answers a session it keeps without waiting, and one revoked elsewhere from the database', async () => {
    const { one, other } = instances;
    const patient = await createPatient(one);
    await servedFromMemory(other, patient.headers);
    const { body } = await api(other).get('/v1/me').set(patient.headers);
    const kept = other.sessions.resolve(body.session.id, body.id);
    expect(kept).not.to.be.instanceOf(Promise);
    expect(kept).to.include({ userId: body.id, sessionId: body.session.id, role: 'patient' });

    expect((await api(one).post('/v1/auth/logout').set(patient.headers).send({})).status).to.equal(204);

    const afterwards = other.sessions.resolve(body.session.id, body.id);
    expect(afterwards).to.be.instanceOf(Promise);
    expect(await afterwards).to.equal(undefined);
  });

  it('sees a change announced by another instance at once (a raised assurance level)', async () => {
    const { one, other } = instances;
    const patient = await createPatient(one);
    await servedFromMemory(other, patient.headers);
    const { body } = await api(other).get('/v1/me').set(patient.headers);
    expect(body.session.aal).to.equal('aal1');

    await one.sequelize.query(`UPDATE sessions SET aal = 'aal2' WHERE id = $1`, { bind: [body.session.id] });
    await one.sessions.forget([body.session.id]);

    expect((await api(other).get('/v1/me').set(patient.headers)).body.session.aal).to.equal('aal2');
  });

  it('revokes every session of an account on every instance (logout everywhere)', async () => {
    const { one, other } = instances;
    const patient = await createPatient(one);
    await servedFromMemory(one, patient.headers);
    await servedFromMemory(other, patient.headers);
    expect((await api(other).post('/v1/auth/logout-all').set(patient.headers).send({})).status).to.equal(204);
    expect((await api(one).get('/v1/me').set(patient.headers)).status).to.equal(401);
    expect((await api(other).get('/v1/me').set(patient.headers)).status).to.equal(401);
  });
});

describe('session cache without Redis (one instance, in-process cache)', () => {
  it('ends a session at once on logout', async () => {
    const alone = await variantRuntime({ REDIS_URL: undefined });
    expect(alone.cache.backend).to.equal('memory');
    const patient = await createPatient(alone);
    expect((await api(alone).get('/v1/me').set(patient.headers)).status).to.equal(200);
    expect((await api(alone).get('/v1/me').set(patient.headers)).status).to.equal(200);
    expect((await api(alone).post('/v1/auth/logout').set(patient.headers).send({})).status).to.equal(204);
    expect((await api(alone).get('/v1/me').set(patient.headers)).status).to.equal(401);
  });
});
