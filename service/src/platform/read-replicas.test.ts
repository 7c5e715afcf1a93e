import Koa from 'koa';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { startReplicatedPostgres, type ReplicatedPostgres } from '../../test/support/replicated-postgres';
import { createTestRuntime, sharedRuntime, type TestRuntime } from '../../test/support/runtime';
import { metricValue } from '../../test/support/assertions';
import { api } from '../../test/support/http';
import { createPatient } from '../../test/support/identities';
import { SPECIALTIES } from '../providers/model';
import { readYourWrites } from './read-routing';

const DATABASE = 'carewatch_replicas';

/** Which server answered: the primary and the replica listen on different ports. */
const serverPort = async (runtime: TestRuntime) => {
  const [row] = await runtime.reader.query<{ port: number }>('SELECT inet_server_port() AS port', {
    type: QueryTypes.SELECT,
  });
  return row?.port;
};

const gauge = (runtime: TestRuntime, name: string) => metricValue(runtime.metrics, name, { replica: '0' });

describe('read replicas', function () {
  this.timeout(120_000);
  let cluster: ReplicatedPostgres;
  let runtime: TestRuntime;
  let primaryPort: number;
  let replicaPort: number;

  /** Measures until the replica's rotation is `wanted`, as the monitor would every interval. */
  const untilRotation = async (wanted: 0 | 1) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      await runtime.replicas.check();
      if ((await gauge(runtime, 'carewatch_db_replica_in_rotation')) === wanted) return;
      await sleep(200);
    }
    throw new Error(`the replica never reached rotation ${wanted}`);
  };

  before(async () => {
    cluster = await startReplicatedPostgres();
    const admin = new Client({ connectionString: cluster.primaryUrl('postgres') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    primaryPort = Number(new URL(cluster.primaryUrl(DATABASE)).port);
    replicaPort = Number(new URL(cluster.replicaUrl(DATABASE)).port);
    runtime = createTestRuntime(cluster.primaryUrl(DATABASE), {
      DATABASE_REPLICA_URLS: cluster.replicaUrl(DATABASE),
      REPLICA_MAX_LAG_MS: '1000',
      REPLICA_STICKY_MS: '1500',
    });
    await runtime.migrator.up();
    await untilRotation(1);
  });
  after(async () => {
    await runtime?.close();
    (await sharedRuntime()).bindModels();
    await cluster?.stop();
  });

  it('reads lists, reports and audit queries from the replica, and exports its lag', async () => {
    expect(await serverPort(runtime)).to.equal(replicaPort);
    expect(await gauge(runtime, 'carewatch_db_replica_lag_seconds')).to.be.within(0, 1);
    // A report runs in a read-only transaction of its own, on the replica too.
    const today = new Date().toISOString().slice(0, 10);
    expect(await runtime.clinical.reports.volumeByDay({ from: today, to: today })).to.deep.equal([]);
    // Writes never go to the replica, even through the reader.
    await runtime.reader.query('CREATE TABLE written_through_reader (id int)');
    expect(
      await runtime.sequelize.query('SELECT * FROM written_through_reader', { type: QueryTypes.SELECT }),
    ).to.deep.equal([]);
  });

  it('serves a patient their lists from the replica, but from the primary just after their own write', async () => {
    const routed = async (target: string) =>
      (await runtime.metrics.db.reads.get()).values.find((value) => value.labels.target === target)?.value ??
      0;
    const patient = await createPatient(runtime);
    const requested = await api(runtime)
      .post('/v1/consultations')
      .set(patient.headers)
      .send({ specialty: SPECIALTIES[0], reason: 'A rash that will not go away' });
    expect(requested.status).to.equal(201);
    const [primaryBefore, replicaBefore] = [await routed('primary'), await routed('replica')];
    const list = await api(runtime).get('/v1/patients/me/consultations').set(patient.headers);
    expect((list.body as { items: { id: string }[] }).items.map((item) => item.id)).to.include(
      requested.body.id,
    );
    expect(await routed('primary')).to.equal(primaryBefore + 1);
    await sleep(1600);
    for (const path of ['/v1/patients/me/consultations', '/v1/patients/me/prescriptions'])
      expect((await api(runtime).get(path).set(patient.headers)).status).to.equal(200);
    expect(await routed('replica')).to.equal(replicaBefore + 2);
  });

  it("sends a caller's reads to the primary for REPLICA_STICKY_MS after their own write", async () => {
    const app = new Koa();
    app.use(readYourWrites(runtime.cache, 1500));
    app.use(async (ctx) => {
      ctx.body = { port: await serverPort(runtime) };
    });
    const http = request(app.callback());
    const caller = { Authorization: 'Bearer caller-a' };
    expect((await http.get('/').set(caller)).body.port).to.equal(replicaPort);
    expect((await http.post('/').set(caller)).body.port).to.equal(primaryPort);
    expect((await http.get('/').set(caller)).body.port).to.equal(primaryPort);
    // Another caller is not held to the primary by it.
    expect((await http.get('/').set({ Authorization: 'Bearer caller-b' })).body.port).to.equal(replicaPort);
    await sleep(1600);
    expect((await http.get('/').set(caller)).body.port).to.equal(replicaPort);
  });

  it('takes a lagging replica out of rotation and back when it catches up', async () => {
    const replica = new Client({ connectionString: cluster.replicaUrl(DATABASE) });
    await replica.connect();
    try {
      await replica.query('SELECT pg_wal_replay_pause()');
      await runtime.sequelize.query('CREATE TABLE lag_marker (id int)');
      await sleep(1100);
      await runtime.sequelize.query('INSERT INTO lag_marker VALUES (1)');
      await untilRotation(0);
      expect(await gauge(runtime, 'carewatch_db_replica_lag_seconds')).to.be.greaterThan(1);
      expect(await serverPort(runtime)).to.equal(primaryPort);
    } finally {
      await replica.query('SELECT pg_wal_replay_resume()');
      await replica.end();
    }
    await untilRotation(1);
    expect(await serverPort(runtime)).to.equal(replicaPort);
  });

  it('takes an unreachable replica out of rotation, reads from the primary meanwhile, and takes it back', async () => {
    await cluster.stopReplica();
    // Before any lag check noticed: the read that finds the replica gone is answered by the primary.
    expect(await serverPort(runtime)).to.equal(primaryPort);
    expect(await gauge(runtime, 'carewatch_db_replica_in_rotation')).to.equal(0);
    await untilRotation(0);
    expect(await gauge(runtime, 'carewatch_db_replica_lag_seconds')).to.equal(-1);
    expect(await serverPort(runtime)).to.equal(primaryPort);
    const ready = await api(runtime).get('/readyz');
    expect([ready.status, ready.body]).to.deep.equal([200, { status: 'degraded', degraded: ['replica'] }]);
    await cluster.startReplica();
    await untilRotation(1);
    expect(await serverPort(runtime)).to.equal(replicaPort);
    expect((await api(runtime).get('/readyz')).body).to.deep.equal({ status: 'ready' });
  });

  it('answers from the primary a read whose replica dies while running it', async () => {
    const replica = new Client({ connectionString: cluster.replicaUrl(DATABASE) });
    await replica.connect();
    const read = runtime.reader.query<{ port: number }>('SELECT inet_server_port() AS port, pg_sleep(1)', {
      type: QueryTypes.SELECT,
    });
    try {
      let running = false;
      for (let attempt = 0; attempt < 100 && !running; attempt++) {
        const { rows } = await replica.query<{ count: number }>(
          "SELECT count(*)::int AS count FROM pg_stat_activity WHERE query LIKE 'SELECT inet_server_port() AS port, pg_sleep%' AND state = 'active'",
        );
        running = rows[0]?.count === 1;
        if (!running) await sleep(50);
      }
      expect(running, 'the read runs on the replica').to.equal(true);
    } finally {
      await replica.end();
    }
    // Immediate mode: the backend exits without an error the client could read, only a closed socket.
    await cluster.stopReplica();
    expect((await read)[0]?.port).to.equal(primaryPort);
    await cluster.startReplica();
    await untilRotation(1);
  });
});
