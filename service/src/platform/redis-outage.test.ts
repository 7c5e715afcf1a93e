import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { metricValue } from '../../test/support/assertions';
import { api } from '../../test/support/http';
import { createPatient, createProvider, strongPassword, type Identity } from '../../test/support/identities';
import { startRedisProcess, type RedisProcess } from '../../test/support/redis-process';
import { sharedRuntime, variantRuntime, type TestRuntime } from '../../test/support/runtime';

const sample = (runtime: TestRuntime, name: string, labels: Record<string, string> = {}) =>
  metricValue(runtime.metrics, name, labels);
const DEGRADED_READS = { operation: 'get' };
const redisReady = async (runtime: TestRuntime) => {
  if (runtime.cache.redis?.status !== 'ready') await once(runtime.cache.redis!, 'ready');
};

/**
 * Redis is a cache and a coordination aid, never the only copy: with it gone the service keeps answering
 * from PostgreSQL, says so in /readyz's body and its metrics, and returns to normal once Redis is back.
 */
describe('Redis down and back', function () {
  this.timeout(60_000);
  let redis: RedisProcess;
  let runtime: TestRuntime;
  /** Another instance on the same Redis and database. */
  let other: TestRuntime;
  let dataDir: string;
  const passwordLogin = (who: Identity) =>
    api(runtime).post('/v1/auth/login').send({ email: who.email, password: who.password });
  const verify = (on: TestRuntime, mfaToken: string, code?: string, recoveryCode?: string) =>
    api(on).post('/v1/auth/mfa/verify').send({ mfaToken, code, recoveryCode });
  const profileOf = (provider: Identity) => api(runtime).get('/v1/providers/me').set(provider.headers);

  before(async () => {
    // Its data survives a kill (append-only file, synced on every write), like a Redis that restarts.
    dataDir = await mkdtemp(path.join(tmpdir(), 'carewatch-redis-'));
    redis = await startRedisProcess(['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dataDir]);
    runtime = await variantRuntime({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'outage:' });
    other = await variantRuntime({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'outage:' });
  });
  after(async () => {
    (await sharedRuntime()).bindModels();
    await redis.start();
    await redis.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves sessions, logins and PHI reads from PostgreSQL while Redis is down, degraded but ready', async () => {
    const patient = await createPatient(runtime);
    expect((await api(runtime).get('/v1/patients/me').set(patient.headers)).status).to.equal(200);
    const degradedBefore = await sample(runtime, 'carewatch_redis_degraded_operations_total', DEGRADED_READS);

    await redis.stop();
    const reads = await Promise.all(
      Array.from({ length: 20 }, () => api(runtime).get('/v1/patients/me').set(patient.headers)),
    );
    expect(reads.map((response) => response.status)).to.deep.equal(reads.map(() => 200));
    const login = await api(runtime)
      .post('/v1/auth/login')
      .send({ email: patient.email, password: patient.password });
    expect(login.status).to.equal(200);
    expect(
      (await api(runtime).get('/v1/me').set('Authorization', `Bearer ${login.body.accessToken}`)).status,
    ).to.equal(200);
    // Rate limits keep counting in the in-process insurance limiter: a wrong password still answers 401.
    const wrong = await api(runtime)
      .post('/v1/auth/login')
      .send({ email: patient.email, password: strongPassword() });
    expect(wrong.status).to.equal(401);

    const ready = await api(runtime).get('/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body).to.deep.include({ status: 'degraded', degraded: ['redis'] });
    expect(await sample(runtime, 'carewatch_redis_up')).to.equal(0);
    expect(
      await sample(runtime, 'carewatch_redis_degraded_operations_total', DEGRADED_READS),
    ).to.be.greaterThan(degradedBefore);
  });

  it('completes MFA logins while Redis is down, on another instance too, each challenge once', async () => {
    await redis.start();
    await Promise.all([redisReady(runtime), redisReady(other)]);
    const provider = await createProvider(runtime);
    const begunBefore = await passwordLogin(provider);
    expect(begunBefore.body.status).to.equal('mfa_required');

    await redis.stop();
    // A challenge begun before the outage, completed during it: it never lived in Redis.
    const completed = await verify(runtime, begunBefore.body.mfaToken, await provider.nextTotpCode());
    expect(completed.status).to.equal(200);
    expect(completed.body.aal).to.equal('aal2');
    // Begun during the outage on this instance, completed on another that has no Redis either.
    const begunDuring = await passwordLogin(provider);
    expect(begunDuring.status).to.equal(200);
    expect(begunDuring.body.status).to.equal('mfa_required');
    const [firstCode, secondCode] = provider.recoveryCodes!;
    const elsewhere = await verify(other, begunDuring.body.mfaToken, undefined, firstCode);
    expect(elsewhere.status).to.equal(200);
    // Spent: presenting it again, even with another valid recovery code, is refused.
    const again = await verify(runtime, begunDuring.body.mfaToken, undefined, secondCode);
    expect(again.status).to.equal(401);
    expect(again.body.code).to.equal('mfa_challenge_invalid');
  });

  it('bypasses the provider profile cache while Redis is down, and never answers an entry from before a change made then', async () => {
    await redis.start();
    await redisReady(runtime);
    const provider = await createProvider(runtime);
    // Filled into Redis before the outage: the entry a missed invalidation would leave alive.
    expect((await profileOf(provider)).body.availability).to.equal('offline');

    await redis.stop();
    expect((await profileOf(provider)).body.availability).to.equal('offline');
    const changed = await api(runtime)
      .put('/v1/providers/me/availability')
      .set(provider.headers)
      .send({ availability: 'available' });
    expect(changed.status).to.equal(200);
    expect((await profileOf(provider)).body.availability).to.equal('available');

    await redis.start();
    await redisReady(runtime);
    expect((await profileOf(provider)).body).to.include({ availability: 'available', version: 2 });
  });

  it('honours a logout made during the outage once Redis is back, and reports ready by itself', async () => {
    await redis.start();
    await redisReady(runtime);
    const patient = await createPatient(runtime);
    // Filled into Redis before the outage: the entry a missed invalidation would leave alive.
    expect((await api(runtime).get('/v1/me').set(patient.headers)).status).to.equal(200);

    await redis.stop();
    expect((await api(runtime).post('/v1/auth/logout').set(patient.headers)).status).to.equal(204);
    expect((await api(runtime).get('/v1/me').set(patient.headers)).status).to.equal(401);

    // Redis comes back with the session's entry still in it: the invalidation missed during the outage
    // must be replayed before the instance reads from Redis again.
    await redis.start();
    await redisReady(runtime);
    for (let attempt = 0; attempt < 50; attempt++) {
      if ((await api(runtime).get('/readyz')).body.status === 'ready') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ready = await api(runtime).get('/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body).to.deep.equal({ status: 'ready' });
    expect(await sample(runtime, 'carewatch_redis_up')).to.equal(1);
    expect(await sample(runtime, 'carewatch_redis_reconnections_total')).to.be.greaterThan(0);
    // Back on the same server: a restart, not a failover.
    expect(await sample(runtime, 'carewatch_redis_failovers_total')).to.equal(0);
    expect((await api(runtime).get('/v1/me').set(patient.headers)).status).to.equal(401);
  });
});
