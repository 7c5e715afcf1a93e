import { expect } from 'chai';
import { createLogger } from '../observability/logger';
import { createMetrics, type Metrics } from '../observability/metrics';
import { metricValue } from '../../test/support/assertions';
import { sharedRuntime, variantRuntime } from '../../test/support/runtime';
import { connectRedis } from './redis-connection';

const logger = createLogger({ level: 'error' });

/** Waits for `work` and fails the test unless it was rejected. */
const rejects = (work: Promise<unknown>): Promise<void> =>
  work.then(
    () => expect.fail('expected a rejection'),
    () => undefined,
  );

function redisSettings(url: string) {
  return {
    url,
    sentinels: [],
    sentinelName: 'mymaster',
    keyPrefix: `carewatch-test:errors:${process.pid}:`,
    commandTimeoutMs: 1_000,
  };
}

const redisErrors = (metrics: Metrics, reason: string) =>
  metricValue(metrics, 'carewatch_redis_command_errors_total', { reason });

describe('Redis and database errors as metrics', function () {
  this.timeout(30_000);

  it('counts a Redis command Redis refused as a reply error, and one sent while unreachable as unavailable', async () => {
    const metrics = createMetrics();
    expect(await redisErrors(metrics, 'reply')).to.equal(0);
    // No Redis configured, no availability to report: a 0 would read as an outage.
    expect(await metrics.render()).not.to.match(/^carewatch_redis_up /m);
    const redis = connectRedis(redisSettings(process.env.TEST_REDIS_URL!), metrics, logger, async () => {});
    expect(await metrics.render()).to.match(/^carewatch_redis_up 0$/m);
    try {
      await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
      await redis.set('not-a-number', 'x');
      await rejects(redis.incr('not-a-number'));
      expect(await redisErrors(metrics, 'reply')).to.equal(1);
      expect(await redis.get('not-a-number')).to.equal('x');
      expect(await redisErrors(metrics, 'reply')).to.equal(1);
    } finally {
      await redis.del('not-a-number');
      redis.disconnect();
    }

    // Nothing listens on port 1: the command fails at once (no offline queue).
    const goneMetrics = createMetrics();
    const gone = connectRedis(redisSettings('redis://127.0.0.1:1'), goneMetrics, logger, async () => {});
    try {
      await rejects(gone.get('anything'));
      expect(await redisErrors(goneMetrics, 'unavailable')).to.equal(1);
    } finally {
      gone.disconnect();
    }
  });

  it('counts failed database calls by kind, a statement timeout apart', async () => {
    const { sequelize, metrics } = await sharedRuntime();
    const errors = (kind: string) => metricValue(metrics, 'carewatch_db_errors_total', { kind });
    const [query, timeout] = [await errors('query'), await errors('statement_timeout')];
    await rejects(sequelize.query('SELECT 1 / 0'));
    expect(await errors('query')).to.equal(query + 1);
    await rejects(
      sequelize.transaction(async (transaction) => {
        await sequelize.query('SET LOCAL statement_timeout = 50', { transaction });
        await sequelize.query('SELECT pg_sleep(1)', { transaction });
      }),
    );
    expect(await errors('statement_timeout')).to.equal(timeout + 1);
  });

  it('counts a wait for a pool connection that timed out, from a query or a transaction', async () => {
    const runtime = await variantRuntime({ DATABASE_POOL_MAX: '1', DATABASE_POOL_ACQUIRE_TIMEOUT_MS: '200' });
    const timeouts = () => metricValue(runtime.metrics, 'carewatch_db_pool_acquire_timeouts_total', {});
    expect(await timeouts()).to.equal(0);
    let release!: () => void;
    const holder = runtime.sequelize.transaction(() => new Promise<void>((resolve) => (release = resolve)));
    try {
      await rejects(runtime.sequelize.query('SELECT 1'));
      await rejects(runtime.sequelize.transaction(async () => undefined));
      expect(await timeouts()).to.equal(2);
      // Not also counted as a query error: the query never reached the database.
      expect(await metricValue(runtime.metrics, 'carewatch_db_errors_total', { kind: 'query' })).to.equal(0);
    } finally {
      release();
      await holder;
    }
    (await sharedRuntime()).bindModels();
  });
});
