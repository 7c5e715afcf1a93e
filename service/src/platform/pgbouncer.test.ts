import { expect } from 'chai';
import { Client } from 'pg';
import { QueryTypes } from 'sequelize';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase } from '../../test/support/environment';
import { api } from '../../test/support/http';
import { createPatient } from '../../test/support/identities';
import { startPgBouncer, type PgBouncerProcess } from '../../test/support/pgbouncer-process';
import { createTestRuntime, sharedRuntime, type TestRuntime } from '../../test/support/runtime';
import { SEALER_LOCK_KEY } from '../audit/sealer';
import { SWEEPER_LOCK_KEY } from '../consultations/expiry';

const SERVER_CONNECTIONS = 20;
const INSTANCES = 4;

/**
 * Several instances through one transaction-mode PgBouncer (Debian's 1.18): no session state goes through
 * it, the migrator's session lock takes DATABASE_DIRECT_URL, and the transaction-level locks that elect
 * the audit sealer and the expiry sweeper still let exactly one instance work at a time.
 */
describe('through PgBouncer in transaction mode', function () {
  this.timeout(120_000);
  let pooler: PgBouncerProcess;
  let directUrl: string;
  let database: string;
  let instances: TestRuntime[];

  before(async () => {
    directUrl = await createTestDatabase('pooled');
    const direct = new URL(directUrl);
    database = direct.pathname.slice(1);
    pooler = await startPgBouncer(direct, SERVER_CONNECTIONS);
    instances = Array.from({ length: INSTANCES }, () =>
      createTestRuntime(pooler.url(database), {
        DATABASE_DIRECT_URL: directUrl,
        DATABASE_POOLER: 'pgbouncer',
        DATABASE_POOL_MAX: '10',
        // 400 requests queue for 40 connections: they wait their turn rather than fail at 2 s.
        DATABASE_POOL_ACQUIRE_TIMEOUT_MS: '20000',
      }),
    );
    await Promise.all(instances.map((instance) => instance.migrator.up()));
  });
  after(async () => {
    await Promise.all((instances ?? []).map((instance) => instance.close()));
    (await sharedRuntime()).bindModels();
    await pooler?.stop();
  });

  it('elects one sweeper and one sealer at a time through the pooler', async () => {
    const [leader, ...others] = instances;
    await createPatient(leader!); // writes security events for the sealer to seal
    for (const [key, tryOnce, skipped] of [
      [SWEEPER_LOCK_KEY, (r: TestRuntime) => r.clinical.expiry.sweepOnce(), null],
      [SEALER_LOCK_KEY, (r: TestRuntime) => r.audit.sealer.sealOnce(), 0],
    ] as const) {
      await leader!.sequelize.transaction(async (transaction) => {
        const [held] = await leader!.sequelize.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_xact_lock($1) AS locked',
          { bind: [key], type: QueryTypes.SELECT, transaction },
        );
        expect(held?.locked).to.equal(true);
        const attempts = await Promise.all(others.map((instance) => tryOnce(instance)));
        expect(attempts).to.deep.equal(others.map(() => skipped));
      });
    }
    expect(await others[0]!.clinical.expiry.sweepOnce()).to.deep.equal([]);
    let sealed = 0;
    for (let round = 0; round < 20 && sealed === 0; round++) {
      sealed = await others[0]!.audit.sealer.sealOnce();
      if (sealed === 0) await sleep(200);
    }
    expect(sealed).to.be.greaterThan(0);
  });

  it('serves 400 concurrent requests from 4 instances over 20 server connections', async () => {
    const patients = await Promise.all(instances.map((instance) => createPatient(instance)));
    const watcher = new Client({ connectionString: directUrl, application_name: 'carewatch-test-watch' });
    await watcher.connect();
    let most = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const { rows } = await watcher.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM pg_stat_activity
            WHERE datname = $1 AND application_name NOT IN ('carewatch-test-watch', 'carewatch-migrate')`,
          [database],
        );
        most = Math.max(most, rows[0]?.count ?? 0);
        await sleep(20);
      }
    })();
    try {
      const responses = await Promise.all(
        Array.from({ length: 400 }, (_, index) => {
          const instance = instances[index % INSTANCES]!;
          return api(instance)
            .get('/v1/patients/me')
            .set(patients[index % INSTANCES]!.headers);
        }),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status !== 200)).to.deep.equal([]);
    } finally {
      watching = false;
      await watch;
      await watcher.end();
    }
    expect(most).to.be.within(1, SERVER_CONNECTIONS);
  });
});
