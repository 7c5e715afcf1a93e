import { once } from 'node:events';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { createLogger } from '../observability/logger';
import { createMetrics, type Metrics } from '../observability/metrics';
import { metricValue } from '../../test/support/assertions';
import { startRedisProcess, type RedisProcess } from '../../test/support/redis-process';
import {
  createBatchedRateLimit,
  type BatchedRateLimit,
  type BatchedRateLimitOptions,
  type SharedCounts,
} from './batched-rate-limit';
import { connectRedis } from './redis-connection';

const logger = createLogger({ level: 'error' });
const WINDOW_START = Date.UTC(2026, 0, 1, 9, 0, 0);
const KEY_PREFIX = 'rl:test';

describe('a rate limit decided in memory and shared through Redis in batches', function () {
  this.timeout(30_000);
  let server: RedisProcess;
  /** The limiters' clock: ten seconds into a 60 s window, moved by the tests. */
  let now: number;
  let test = 0;
  const opened: { limit: BatchedRateLimit; redis?: Redis }[] = [];

  before(async () => {
    server = await startRedisProcess();
  });
  beforeEach(() => {
    now = WINDOW_START + 10_000;
    test += 1;
  });
  afterEach(async () => {
    for (const { limit, redis } of opened.splice(0)) {
      await limit.close();
      redis?.disconnect();
    }
  });
  after(async () => {
    await server.stop();
  });

  /** An instance's connection, with the service's settings; each test has keys of its own. */
  const connect = async (url = server.url): Promise<SharedCounts & { metrics: Metrics }> => {
    const metrics = createMetrics();
    const settings = {
      url,
      sentinels: [],
      sentinelName: 'mymaster',
      keyPrefix: `batched-${test}:`,
      commandTimeoutMs: 1_000,
    };
    const redis = connectRedis(settings, metrics, logger, async () => {});
    if (url === server.url && redis.status !== 'ready') await once(redis, 'ready');
    return { redis, metrics };
  };
  /** An instance's limit of 3 per 60 s; it flushes only when told (the interval never comes in a test). */
  const instance = (shared?: SharedCounts, options: Partial<BatchedRateLimitOptions> = {}) => {
    const limit = createBatchedRateLimit(
      {
        keyPrefix: KEY_PREFIX,
        points: 3,
        windowSeconds: 60,
        flushIntervalMs: 3_600_000,
        maxKeys: 100,
        clock: () => now,
        ...options,
      },
      shared,
    );
    opened.push({ limit, redis: shared?.redis });
    return limit;
  };
  const spendTimes = (limit: BatchedRateLimit, key: string, times: number) =>
    Array.from({ length: times }, () => limit.spend(key));
  const sharedTotal = (redis: Redis, key: string, windowStart = WINDOW_START) =>
    redis.get(`${KEY_PREFIX}:${windowStart}:${key}`);
  const degradedFlushes = (metrics: Metrics) =>
    metricValue(metrics, 'carewatch_redis_degraded_operations_total', { operation: 'rate_limit_flush' });

  it('refuses an address on the instance it used as soon as its budget is spent, and tells Redis only at a flush', async () => {
    const shared = await connect();
    const limit = instance(shared);
    const spent = spendTimes(limit, '192.0.2.1', 4);
    expect(spent.map((spend) => [spend.admitted, spend.remaining])).to.deep.equal([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(spent.map((spend) => spend.msBeforeReset)).to.deep.equal([50_000, 50_000, 50_000, 50_000]);
    expect(limit.spend('192.0.2.2').admitted).to.equal(true);
    // No request waited for Redis: nothing is there before the flush.
    expect(await sharedTotal(shared.redis, '192.0.2.1')).to.equal(null);

    await limit.flush();
    // The refused request is not counted; the key lives until the window ends.
    expect(await sharedTotal(shared.redis, '192.0.2.1')).to.equal('3');
    expect(await sharedTotal(shared.redis, '192.0.2.2')).to.equal('1');
    const ttl = await shared.redis.pttl(`${KEY_PREFIX}:${WINDOW_START}:192.0.2.1`);
    expect(ttl).to.be.within(1, 50_000);
  });

  it('shares one budget between instances on one Redis: each learns the others’ admissions at its own flush', async () => {
    const [first, second] = [instance(await connect()), instance(await connect())];
    spendTimes(first, '192.0.2.1', 3);
    await first.flush();

    // The second instance has not flushed this address yet: it admits it once (the documented overshoot,
    // what one instance admits within one flush interval), then knows the shared total.
    expect(second.spend('192.0.2.1')).to.include({ admitted: true, remaining: 2 });
    await second.flush();
    expect(second.spend('192.0.2.1')).to.include({ admitted: false, remaining: 0 });
    expect(first.spend('192.0.2.1').admitted).to.equal(false);
  });

  it('limits in memory while Redis is unreachable, never failing, and adds those admissions once it is back', async () => {
    // Nothing listens on port 1: every flush fails at once.
    const unreachable = await connect('redis://127.0.0.1:1');
    const alone = instance(unreachable);
    expect(spendTimes(alone, '192.0.2.1', 4).map((spend) => spend.admitted)).to.deep.equal([
      true,
      true,
      true,
      false,
    ]);
    await alone.flush();
    expect(await degradedFlushes(unreachable.metrics)).to.equal(1);

    const shared = await connect();
    const limit = instance(shared);
    spendTimes(limit, '192.0.2.1', 2);
    await server.stop();
    try {
      expect(limit.spend('192.0.2.1')).to.include({ admitted: true, remaining: 0 });
      await limit.flush();
      expect(await degradedFlushes(shared.metrics)).to.equal(1);
      expect(limit.spend('192.0.2.1').admitted).to.equal(false);
    } finally {
      await server.start();
    }
    if (shared.redis.status !== 'ready') await once(shared.redis, 'ready');
    await limit.flush();
    expect(await sharedTotal(shared.redis, '192.0.2.1')).to.equal('3');
  });

  it('starts each window from zero, under a key of its own, and drops what an ended window did not send', async () => {
    const shared = await connect();
    const limit = instance(shared);
    spendTimes(limit, '192.0.2.1', 3);
    await limit.flush();
    spendTimes(limit, '192.0.2.2', 1);
    expect(limit.spend('192.0.2.1').admitted).to.equal(false);

    now = WINDOW_START + 60_000;
    expect(limit.spend('192.0.2.1')).to.include({ admitted: true, remaining: 2, msBeforeReset: 60_000 });
    await limit.flush();
    expect(await sharedTotal(shared.redis, '192.0.2.1', WINDOW_START + 60_000)).to.equal('1');
    expect(await sharedTotal(shared.redis, '192.0.2.1')).to.equal('3');
    expect(await sharedTotal(shared.redis, '192.0.2.2')).to.equal(null);
  });

  it('tracks at most maxKeys addresses a window: beyond, it forgets the oldest, whose count Redis gives back', async () => {
    const inMemory = instance(undefined, { maxKeys: 2 });
    spendTimes(inMemory, '192.0.2.1', 3);
    expect(inMemory.spend('192.0.2.1').admitted).to.equal(false);
    inMemory.spend('192.0.2.2');
    inMemory.spend('192.0.2.3');
    // A third address made it forget the first.
    expect(inMemory.spend('192.0.2.1')).to.include({ admitted: true, remaining: 2 });
    expect(inMemory.spend('192.0.2.3')).to.include({ admitted: true, remaining: 1 });

    const limit = instance(await connect(), { maxKeys: 2 });
    spendTimes(limit, '192.0.2.1', 3);
    await limit.flush();
    limit.spend('192.0.2.2');
    limit.spend('192.0.2.3');
    expect(limit.spend('192.0.2.1').admitted).to.equal(true);
    await limit.flush();
    expect(limit.spend('192.0.2.1').admitted).to.equal(false);
  });
});
