import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { metricValue } from '../../test/support/assertions';
import { api } from '../../test/support/http';
import { createPatient } from '../../test/support/identities';
import { startRedisProcess, startSentinel, type RedisProcess } from '../../test/support/redis-process';
import { sharedRuntime, variantRuntime, type TestRuntime } from '../../test/support/runtime';

const counter = (runtime: TestRuntime, name: string) => metricValue(runtime.metrics, name, {});

const sessionKeysOn = async (port: number) => {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  try {
    await client.connect();
    return await client.keys('*session:*');
  } finally {
    client.disconnect();
  }
};

/** Sentinel learns of replicas from the primary's INFO (every 10 s); it can only promote one it knows. */
async function sentinelKnowsReplica(sentinel: RedisProcess): Promise<void> {
  const client = new Redis({ port: sentinel.port, host: '127.0.0.1' });
  try {
    for (let attempt = 0; attempt < 300; attempt++) {
      const replicas = (await client.call('SENTINEL', 'REPLICAS', 'carewatch')) as string[][];
      const known = replicas.some((fields) => {
        const flags = fields[fields.indexOf('flags') + 1] ?? '';
        return flags === 'slave' && fields[fields.indexOf('master-link-status') + 1] === 'ok';
      });
      if (known) return;
      await sleep(100);
    }
    throw new Error('Sentinel never saw the replica');
  } finally {
    client.disconnect();
  }
}

/** REDIS_SENTINELS: the service finds the primary through Sentinel and follows it when it fails over. */
describe('Redis through Sentinel', function () {
  this.timeout(90_000);
  const processes: RedisProcess[] = [];
  let dir: string;
  let primary: RedisProcess;
  let replica: RedisProcess;
  let runtime: TestRuntime;
  let sentinel: RedisProcess;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'carewatch-sentinel-'));
    primary = await startRedisProcess();
    replica = await startRedisProcess(['--replicaof', '127.0.0.1', String(primary.port)]);
    sentinel = await startSentinel(dir, 'carewatch', primary.port);
    processes.push(primary, replica, sentinel);
    runtime = await variantRuntime({
      REDIS_URL: undefined,
      REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`,
      REDIS_SENTINEL_NAME: 'carewatch',
    });
  });
  after(async () => {
    (await sharedRuntime()).bindModels();
    await Promise.all(processes.map((process) => process.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('caches on the primary Sentinel names, keeps serving through a failover, then follows the new primary', async () => {
    const patient = await createPatient(runtime);
    expect((await api(runtime).get('/v1/me').set(patient.headers)).status).to.equal(200);
    expect(await sessionKeysOn(primary.port)).to.have.length.greaterThan(0);
    const reconnections = await counter(runtime, 'carewatch_redis_reconnections_total');
    await sentinelKnowsReplica(sentinel);

    await primary.stop();
    // Sentinel calls the primary down after 1 s and promotes the replica; requests go on meanwhile, until
    // the service is up on another server. The gauge says so only after the reconnection (once missed
    // deletes are replayed), so both are waited for, not read one after the other.
    let followed = false;
    for (let attempt = 0; attempt < 150 && !followed; attempt++) {
      expect((await api(runtime).get('/v1/patients/me').set(patient.headers)).status).to.equal(200);
      await sleep(100);
      followed =
        (await counter(runtime, 'carewatch_redis_failovers_total')) > 0 &&
        (await counter(runtime, 'carewatch_redis_up')) === 1;
    }
    expect(followed, 'the service is up on the promoted replica').to.equal(true);
    expect(await counter(runtime, 'carewatch_redis_failovers_total')).to.equal(1);
    expect(await counter(runtime, 'carewatch_redis_reconnections_total')).to.be.greaterThan(reconnections);

    const keysBefore = (await sessionKeysOn(replica.port)).length;
    const later = await createPatient(runtime);
    expect((await api(runtime).get('/v1/me').set(later.headers)).status).to.equal(200);
    // Written there, so the former replica is now the primary the service uses.
    expect((await sessionKeysOn(replica.port)).length).to.be.greaterThan(keysBefore);
    expect((await api(runtime).get('/readyz')).body).to.deep.equal({ status: 'ready' });
  });
});

/**
 * Sentinel announces a failover (+switch-master) while the service, its connection just cut, is still
 * asking a Sentinel where the primary is. The drill saw an instance stay `degraded: ["redis"]` for good
 * after such a failover; the service must find the promoted primary by itself.
 */
describe('Redis through Sentinel, a failover announced while the service asks for the primary', function () {
  this.timeout(90_000);
  const processes: RedisProcess[] = [];
  let dir: string;
  let primary: RedisProcess;
  let replica: RedisProcess;
  /**
   * The Sentinels the service lists before the announcer; paused, they hold its question unanswered.
   * ioredis asks them in list order, from the first (with its failover detector) or from the one after
   * the Sentinel that answered last (without it; the first answered at startup): a paused one either way,
   * and it never moves on to the announcer while that one holds the question.
   */
  let asked: RedisProcess[] = [];
  /** The Sentinel that runs the failover and announces it; the service lists it last. */
  let announcer: RedisProcess;
  let runtime: TestRuntime;
  const resumeAsked = () => asked.forEach((sentinel) => sentinel.resume());

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'carewatch-sentinel-'));
    primary = await startRedisProcess();
    replica = await startRedisProcess(['--replicaof', '127.0.0.1', String(primary.port)]);
    asked = [
      await startSentinel(dir, 'carewatch', primary.port),
      await startSentinel(dir, 'carewatch', primary.port),
    ];
    announcer = await startSentinel(dir, 'carewatch', primary.port);
    processes.push(primary, replica, ...asked, announcer);
    runtime = await variantRuntime({
      REDIS_URL: undefined,
      REDIS_SENTINELS: [...asked, announcer].map((sentinel) => `127.0.0.1:${sentinel.port}`).join(','),
      REDIS_SENTINEL_NAME: 'carewatch',
    });
  });
  after(async () => {
    resumeAsked();
    (await sharedRuntime()).bindModels();
    await Promise.all(processes.map((process) => process.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('follows the promoted primary and reports ready again', async () => {
    const redis = runtime.cache.redis!;
    await sentinelKnowsReplica(announcer);
    const announcements = new Redis({ port: announcer.port, host: '127.0.0.1' });
    const admin = new Redis({ port: primary.port, host: '127.0.0.1' });
    const control = new Redis({ port: announcer.port, host: '127.0.0.1' });
    try {
      await announcements.subscribe('+switch-master');
      const announced = once(announcements, 'message');
      asked.forEach((sentinel) => sentinel.pause());
      const asking = once(redis, 'connecting');
      // Cut the service's connections (not the replica's, nor this one): it reconnects through Sentinel.
      await admin.client('KILL', 'TYPE', 'normal');
      await asking;
      await control.call('SENTINEL', 'FAILOVER', 'carewatch');
      await announced;
      expect(redis.status, 'the service is still asking a paused Sentinel').to.equal('connecting');
      // The announcer wrote the announcement to every subscriber (the service's too, were ioredis's
      // failoverDetector on) before it answers this; the turn that reads the answer reads theirs as well.
      await control.ping();
      await new Promise(setImmediate);
    } finally {
      resumeAsked();
      announcements.disconnect();
      admin.disconnect();
      control.disconnect();
    }

    let readiness: unknown;
    for (let attempt = 0; attempt < 300; attempt++) {
      readiness = (await api(runtime).get('/readyz')).body;
      if ((readiness as { status?: string }).status === 'ready') break;
      await sleep(100);
    }
    expect(readiness, 'ready again by itself').to.deep.equal({ status: 'ready' });
    // The paused Sentinel may still name the old primary, which then takes writes until Sentinel demotes it
    // (and disconnects its clients): the service ends up on the promoted one all the same.
    const promoted = new Redis({ port: replica.port, host: '127.0.0.1' });
    try {
      let landed = false;
      for (let attempt = 0; attempt < 300 && !landed; attempt++) {
        await redis.set('failover-probe', String(attempt)).catch(() => undefined);
        landed = (await promoted.get(`${redis.options.keyPrefix}failover-probe`)) === String(attempt);
        if (!landed) await sleep(100);
      }
      expect(landed, 'writes go to the promoted primary').to.equal(true);
    } finally {
      promoted.disconnect();
    }
  });
});
