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

/** REDIS_SENTINELS: the service finds the primary through Sentinel and follows it when it fails over. */
describe('Redis through Sentinel', function () {
  this.timeout(90_000);
  const processes: RedisProcess[] = [];
  let dir: string;
  let primary: RedisProcess;
  let replica: RedisProcess;
  let runtime: TestRuntime;
  let sentinel: RedisProcess;

  /** Sentinel learns of replicas from the primary's INFO (every 10 s); it can only promote one it knows. */
  const sentinelKnowsReplica = async () => {
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
  };

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
    await sentinelKnowsReplica();

    await primary.stop();
    // Sentinel calls the primary down after 1 s and promotes the replica; requests go on meanwhile.
    let up = 0;
    for (let attempt = 0; attempt < 150 && up === 0; attempt++) {
      expect((await api(runtime).get('/v1/patients/me').set(patient.headers)).status).to.equal(200);
      await sleep(100);
      up = (await counter(runtime, 'carewatch_redis_reconnections_total')) > reconnections ? 1 : 0;
    }
    expect(up, 'the service reconnected to the promoted replica').to.equal(1);
    expect(await counter(runtime, 'carewatch_redis_up')).to.equal(1);
    expect(await counter(runtime, 'carewatch_redis_failovers_total')).to.equal(1);

    const keysBefore = (await sessionKeysOn(replica.port)).length;
    const later = await createPatient(runtime);
    expect((await api(runtime).get('/v1/me').set(later.headers)).status).to.equal(200);
    // Written there, so the former replica is now the primary the service uses.
    expect((await sessionKeysOn(replica.port)).length).to.be.greaterThan(keysBefore);
    expect((await api(runtime).get('/readyz')).body).to.deep.equal({ status: 'ready' });
  });
});
