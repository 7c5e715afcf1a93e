import { expect } from 'chai';
import { metricValue } from '../../test/support/assertions';
import { api } from '../../test/support/http';
import { createPatient } from '../../test/support/identities';
import { sharedRuntime, variantRuntime, type TestRuntime } from '../../test/support/runtime';

/** A pool gauge as a scrape would see it (the pool is sampled just before). */
const gauge = async (runtime: TestRuntime, name: string, labels: Record<string, string> = {}) => {
  await runtime.metrics.render();
  return metricValue(runtime.metrics, name, labels);
};

describe('database pool exhaustion', () => {
  after(async () => (await sharedRuntime()).bindModels());

  it('answers 503 problem+json with Retry-After once the acquire timeout passes, and shows the waiters', async () => {
    const shared = await sharedRuntime();
    const patient = await createPatient(shared);
    const runtime = await variantRuntime({
      DATABASE_POOL_MAX: '1',
      DATABASE_POOL_ACQUIRE_TIMEOUT_MS: '1500',
    });
    expect((await api(runtime).get('/v1/patients/me').set(patient.headers)).status).to.equal(200);

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // A long transaction holds the only connection of this pool.
    const holder = runtime.sequelize.transaction(() => held);
    try {
      const waiting = Promise.all(
        Array.from({ length: 3 }, () => api(runtime).get('/v1/patients/me').set(patient.headers)),
      );
      let waiters = 0;
      for (let poll = 0; poll < 100 && waiters === 0; poll++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        waiters = await gauge(runtime, 'carewatch_db_pool_waiting_requests');
      }
      expect(waiters).to.be.at.least(1);
      expect(await gauge(runtime, 'carewatch_db_pool_max_connections')).to.equal(1);
      expect(await gauge(runtime, 'carewatch_db_pool_connections', { state: 'in_use' })).to.equal(1);

      for (const response of await waiting) {
        expect(response.status).to.equal(503);
        expect(response.headers['content-type']).to.match(/^application\/problem\+json/);
        expect(response.headers['retry-after']).to.equal('1');
        // The read waited in vain, and so did its audit event, which fails the request closed.
        expect(response.body.code).to.be.oneOf(['database_busy', 'audit_unavailable']);
      }
      // The PHI read takes its connection from the pool directly (platform/direct-query.ts): counted too.
      expect(await gauge(runtime, 'carewatch_db_pool_acquire_timeouts_total')).to.be.at.least(3);
    } finally {
      release();
      await holder;
    }
    expect((await api(runtime).get('/v1/patients/me').set(patient.headers)).status).to.equal(200);
  });

  it('answers database_busy where no audit is involved, and stays ready (degraded) while the pool is full', async () => {
    const runtime = await variantRuntime({ DATABASE_POOL_MAX: '1', DATABASE_POOL_ACQUIRE_TIMEOUT_MS: '200' });
    expect((await api(runtime).get('/readyz')).body).to.deep.equal({ status: 'ready' }); // before the burst
    let release!: () => void;
    const holder = runtime.sequelize.transaction(() => new Promise<void>((resolve) => (release = resolve)));
    try {
      const response = await api(runtime)
        .post('/v1/auth/login')
        .send({ email: 'nobody@carewatch.test', password: 'not-the-password-1' });
      expect(response.status).to.equal(503);
      expect(response.headers['retry-after']).to.equal('1');
      expect(response.body).to.include({ status: 503, code: 'database_busy' });

      // A busy pool is not a lost database: under a burst every instance is busy at once, and a 503 here
      // would take them all out of the load balancer together.
      const readiness = await api(runtime).get('/readyz');
      expect(readiness.status).to.equal(200);
      expect(readiness.body).to.deep.include({ status: 'degraded', degraded: ['database_pool'] });
    } finally {
      release();
      await holder;
    }
  });
});
