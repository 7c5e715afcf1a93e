import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { sharedRuntime } from '../../test/support/runtime';
import { createInvalidatedCache, type InvalidatedCache } from './invalidated-cache';

describe('a cache invalidated over Redis', () => {
  let cache: InvalidatedCache<string>;

  before(async function () {
    if (!process.env.TEST_REDIS_URL) this.skip();
    const runtime = await sharedRuntime();
    cache = createInvalidatedCache<string>(
      runtime.cache,
      { name: 'provider_profile', localTtlMs: 10_000, localMaxEntries: 10 },
      runtime.logger,
      runtime.metrics,
    );
  });
  after(async () => cache?.close());

  it('keeps nothing a load read before a change announced while it ran', async () => {
    const id = randomUUID();
    let finishLoad: (value: string) => void = () => undefined;
    let loadStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (loadStarted = resolve));
    const racing = cache.read(
      id,
      () => {
        loadStarted();
        return new Promise((resolve) => (finishLoad = resolve));
      },
      60,
    );
    await started;
    // The row changes and the change is announced while the load still holds the old row.
    await cache.forget([id]);
    finishLoad('before the change');
    expect(await racing).to.equal('before the change');

    expect(await cache.read(id, async () => 'after the change', 60)).to.equal('after the change');
  });
});
