import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { metricValue } from '../../test/support/assertions';
import { api } from '../../test/support/http';
import { createPatient, strongPassword } from '../../test/support/identities';
import { startRedisProcess, type RedisProcess } from '../../test/support/redis-process';
import { sharedRuntime, variantRuntime, type TestRuntime } from '../../test/support/runtime';

const sample = (runtime: TestRuntime, name: string, labels: Record<string, string> = {}) =>
  metricValue(runtime.metrics, name, labels);
const DEGRADED_READS = { operation: 'get' };

/**
 * Redis is a cache and a coordination aid, never the only copy: with it gone the service keeps answering
 * from PostgreSQL, says so in /readyz's body and its metrics, and returns to normal once Redis is back.
 */
describe('Redis down and back', function () {
  this.timeout(60_000);
  let redis: RedisProcess;
  let runtime: TestRuntime;
  let dataDir: string;

  before(async () => {
    // Its data survives a kill (append-only file, synced on every write), like a Redis that restarts.
    dataDir = await mkdtemp(path.join(tmpdir(), 'carewatch-redis-'));
    redis = await startRedisProcess(['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dataDir]);
    runtime = await variantRuntime({ REDIS_URL: redis.url });
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

  it('honours a logout made during the outage once Redis is back, and reports ready by itself', async () => {
    await redis.start();
    if (runtime.cache.redis?.status !== 'ready') await once(runtime.cache.redis!, 'ready');
    const patient = await createPatient(runtime);
    // Filled into Redis before the outage: the entry a missed invalidation would leave alive.
    expect((await api(runtime).get('/v1/me').set(patient.headers)).status).to.equal(200);

    await redis.stop();
    expect((await api(runtime).post('/v1/auth/logout').set(patient.headers)).status).to.equal(204);
    expect((await api(runtime).get('/v1/me').set(patient.headers)).status).to.equal(401);

    // Redis comes back with the session's entry still in it: the invalidation missed during the outage
    // must be replayed before the instance reads from Redis again.
    await redis.start();
    if (runtime.cache.redis?.status !== 'ready') await once(runtime.cache.redis!, 'ready');
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
