import type { Response } from 'supertest';
import { expect } from 'chai';
import { metricValue } from './assertions';
import { runId } from './environment';
import { sharedRuntime, variantRuntime, type TestRuntime } from './runtime';

/** This runtime's count of look-ups answered by `cache` (a carewatch_cache_requests_total label). */
export const cacheHits = (runtime: TestRuntime, cache: string): Promise<number> =>
  metricValue(runtime.metrics, 'carewatch_cache_requests_total', { cache, result: 'hit' });

/**
 * Sends `request` until an answer comes from `runtime`'s memory (`<name>_local`): the subscription to
 * changes is made once Redis is ready, a moment after start. Proves the in-process copy exists.
 */
export async function untilServedFromMemory(
  runtime: TestRuntime,
  localCache: string,
  request: () => Promise<Response>,
): Promise<void> {
  const before = await cacheHits(runtime, localCache);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    expect((await request()).status).to.equal(200);
    if ((await cacheHits(runtime, localCache)) > before) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${localCache} never answered from memory`);
}

/**
 * Two instances of one deployment (the same database, the same Redis namespace), set up by a mocha
 * `before` hook of the calling `describe`; skipped without TEST_REDIS_URL, as only Redis is shared.
 */
export function useTwoInstances(): { readonly one: TestRuntime; readonly other: TestRuntime } {
  const instances: { one?: TestRuntime; other?: TestRuntime } = {};
  before(async function () {
    if (!process.env.TEST_REDIS_URL) this.skip();
    instances.one = await sharedRuntime();
    instances.other = await variantRuntime({ REDIS_KEY_PREFIX: `carewatch-test:${runId}:` });
  });
  return {
    get one() {
      return instances.one!;
    },
    get other() {
      return instances.other!;
    },
  };
}
