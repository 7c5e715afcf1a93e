import { expect } from 'chai';
import { once } from 'node:events';
import { createBreaker, isBreakerRejection } from './breaker';
import { useTestApp } from '../../test/support/test-app';

describe('circuit breaker', () => {
  const app = useTestApp();
  it('aborts the work of a call that timed out, and says the breaker cut it short', async () => {
    const runtime = app.runtime;
    const signals: AbortSignal[] = [];
    const hang = (signal: AbortSignal) => {
      signals.push(signal);
      return once(signal, 'abort').then(() => 'aborted');
    };
    const breaker = createBreaker('test_hanging', hang, { timeoutMs: 50 }, runtime);
    try {
      const error = await breaker.fire().then(
        () => expect.fail('a hanging call succeeded'),
        (failure: unknown) => failure,
      );
      expect(isBreakerRejection(error)).to.equal(true);
      expect((error as NodeJS.ErrnoException).code).to.equal('ETIMEDOUT');
      expect(signals).to.have.length(1);
      expect(signals[0]?.aborted, 'the timed-out work was told to stop').to.equal(true);
    } finally {
      breaker.close();
    }
  });

  it("passes the action's own failures through untouched, and publishes each state", async () => {
    const runtime = app.runtime;
    const failure = new Error('dependency said no');
    const breaker = createBreaker(
      'test_failing',
      () => Promise.reject(failure),
      { timeoutMs: 1000, volumeThreshold: 1, resetTimeoutMs: 60_000 },
      runtime,
    );
    const gauge = async () =>
      (await runtime.metrics.breakers.state.get()).values.find(
        (value) => value.labels.breaker === 'test_failing',
      )?.value;
    try {
      expect(await gauge()).to.equal(0);
      expect(breaker.state()).to.equal('closed');
      const error: unknown = await breaker.fire().catch((rejection: unknown) => rejection);
      expect(error).to.equal(failure);
      expect(isBreakerRejection(error)).to.equal(false);
      expect(breaker.state()).to.equal('open');
      expect(await gauge()).to.equal(2);
    } finally {
      breaker.close();
    }
  });
});
