import { once } from 'node:events';
import { expect } from 'chai';
import type { Response } from 'supertest';
import { metricValue } from '../../test/support/assertions';
import { api } from '../../test/support/http';
import { startRedisProcess, type RedisProcess } from '../../test/support/redis-process';
import type { TestRuntime } from '../../test/support/runtime';
import { useTestApp } from '../../test/support/test-app';

/**
 * Windows are aligned to the clock (an hour here starts on the hour) so that every instance counts the
 * same one: an hour makes a test that crosses a window's end as good as impossible.
 */
const LIMIT = { API_RATE_LIMIT_POINTS: '3', API_RATE_LIMIT_WINDOW: '3600' };
/** The tests flush the counts to Redis themselves: the interval never comes within a test. */
const FLUSHED_BY_THE_TEST = { API_RATE_LIMIT_FLUSH_MS: '60000' };

function expectRefused(answer: Response) {
  expect(answer.status).to.equal(429);
  expect(answer.type).to.equal('application/problem+json');
  expect(answer.headers['ratelimit-remaining']).to.equal('0');
  expect(Number(answer.headers['retry-after'])).to.be.within(1, 3600);
}

describe('the request rate limit of every route (OWASP API4)', () => {
  const app = useTestApp();

  it('counts every request of an address, says what is left, and answers 429 with Retry-After past it', async () => {
    const runtime = await app.variant(LIMIT);
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await api(runtime).get('/v1/me'));
    expect(answers.map((answer) => answer.status)).to.deep.equal([401, 401, 401, 429]);
    expect(answers.map((answer) => answer.headers['ratelimit-remaining'])).to.deep.equal([
      '2',
      '1',
      '0',
      '0',
    ]);
    for (const answer of answers) {
      expect(answer.headers['ratelimit-limit']).to.equal('3');
      expect(Number(answer.headers['ratelimit-reset'])).to.be.within(1, 3600);
    }
    expectRefused(answers[3]!);
    // The orchestrator's probes are never limited: an overloaded API must not look dead.
    expect((await api(runtime).get('/healthz')).status).to.equal(200);
  });

  describe('across instances sharing one Redis', function () {
    this.timeout(60_000);
    let redis: RedisProcess;
    before(async () => {
      redis = await startRedisProcess();
    });
    after(async () => {
      await redis.stop();
    });
    const instanceOn = (keyPrefix: string) =>
      app.variant({ ...LIMIT, ...FLUSHED_BY_THE_TEST, REDIS_URL: redis.url, REDIS_KEY_PREFIX: keyPrefix });
    const requestsOn = async (runtime: TestRuntime, count: number) => {
      const answers = [];
      for (let i = 0; i < count; i += 1) answers.push(await api(runtime).get('/v1/me'));
      return answers;
    };

    it('spends one budget: an instance refuses at once what it counted, the others once each has flushed', async () => {
      const [first, second] = [await instanceOn('shared-budget:'), await instanceOn('shared-budget:')];
      const onFirst = await requestsOn(first, 4);
      expect(onFirst.map((answer) => answer.status)).to.deep.equal([401, 401, 401, 429]);
      expectRefused(onFirst[3]!);
      await first.requestBudget.flush();

      // The second instance has not flushed this address yet: it admits it once more (the documented
      // overshoot: what an instance admits within one flush interval), and refuses it from its flush on.
      const [admitted] = await requestsOn(second, 1);
      expect(admitted!.status).to.equal(401);
      await second.requestBudget.flush();
      const [refused] = await requestsOn(second, 1);
      expectRefused(refused!);
    });

    it('still limits, and answers, with Redis unreachable', async () => {
      const runtime = await instanceOn('unreachable-budget:');
      const degradedFlushes = () =>
        metricValue(runtime.metrics, 'carewatch_redis_degraded_operations_total', {
          operation: 'rate_limit_flush',
        });
      await redis.stop();
      try {
        const answers = await requestsOn(runtime, 4);
        expect(answers.map((answer) => answer.status)).to.deep.equal([401, 401, 401, 429]);
        expectRefused(answers[3]!);
        const before = await degradedFlushes();
        await runtime.requestBudget.flush();
        expect(await degradedFlushes()).to.equal(before + 1);
        expect((await api(runtime).get('/healthz')).status).to.equal(200);
      } finally {
        await redis.start();
      }
      // Back: what the instance admitted meanwhile is added to the shared count.
      const shared = runtime.cache.redis!;
      if (shared.status !== 'ready') await once(shared, 'ready');
      await runtime.requestBudget.flush();
      const keys = await shared.keys('unreachable-budget:rl:requests:*');
      expect(keys).to.have.length(1);
      expect(await shared.get(keys[0]!.slice('unreachable-budget:'.length))).to.equal('3');
    });
  });
});
