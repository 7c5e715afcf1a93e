import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { metricValue } from '../../test/support/assertions';
import { sharedRuntime, type TestRuntime } from '../../test/support/runtime';
import { until } from '../../test/support/until';
import { listenForChanges, type ChangeAnnouncements } from './change-announcements';

/**
 * Instances are announcers in this process, each with its own subscription; a "remote" instance is a bare
 * Redis subscriber that speaks the wire format, so the test controls when (or whether) it confirms.
 */
describe('change announcements between instances', () => {
  let runtime: TestRuntime;
  let redis: Redis;
  let changesChannel: string;
  const opened: { close(): Promise<unknown> }[] = [];

  before(async function () {
    if (!process.env.TEST_REDIS_URL) this.skip();
    runtime = await sharedRuntime();
    redis = runtime.cache.redis!;
    changesChannel = `${redis.options.keyPrefix ?? ''}provider_profile-changes`;
  });
  afterEach(async () => Promise.all(opened.splice(0).map((each) => each.close())));

  const instance = async (changed: (ids: readonly string[]) => void = () => undefined) => {
    const announcements: ChangeAnnouncements = listenForChanges(
      redis,
      'provider_profile',
      { changed, unsubscribed: () => undefined },
      runtime.logger,
      runtime.metrics,
    );
    opened.push(announcements);
    await until('subscribing to changes', () => announcements.listening);
    return announcements;
  };

  /** A subscriber that hands every announcement to `receive` with a way to confirm it. */
  const remoteInstance = async (receive: (ids: string[], confirm: () => Promise<unknown>) => void) => {
    const subscriber = redis.duplicate({ enableOfflineQueue: true });
    opened.push({ close: () => subscriber.quit() });
    subscriber.on('message', (_channel: string, message: string) => {
      const asked = /^(.*),confirm:([^:]+):(\d+)$/.exec(message);
      if (!asked) return;
      const [, ids, announcer, number] = asked;
      const confirmations = `${redis.options.keyPrefix ?? ''}provider_profile-confirmations:${announcer}`;
      receive(ids!.split(','), () => redis.publish(confirmations, number!));
    });
    await subscriber.subscribe(changesChannel);
  };
  const unconfirmed = () =>
    metricValue(runtime.metrics, 'carewatch_cache_unconfirmed_changes_total', { cache: 'provider_profile' });

  it('hands the ids to every instance, the announcer included, before the announcement resolves', async () => {
    const seenByOne: string[][] = [];
    const seenByOther: string[][] = [];
    const one = await instance((ids) => seenByOne.push([...ids]));
    await instance((ids) => seenByOther.push([...ids]));
    const ids = [randomUUID(), randomUUID()];

    await one.announce(ids);

    expect(seenByOne).to.deep.include(ids);
    expect(seenByOther).to.deep.include(ids);
  });

  it('waits for an instance that confirms late', async () => {
    const one = await instance();
    let confirmed = false;
    await remoteInstance((_ids, confirm) =>
      setTimeout(() => {
        confirmed = true;
        void confirm();
      }, 100),
    );
    const before = await unconfirmed();

    await one.announce([randomUUID()]);

    expect(confirmed).to.equal(true);
    expect(await unconfirmed()).to.equal(before);
  });

  it('goes on without an instance that never confirms (stalled or gone), and counts it', async () => {
    const one = await instance();
    const received: string[][] = [];
    await remoteInstance((ids) => received.push(ids));
    const before = await unconfirmed();
    const id = randomUUID();

    await one.announce([id]);

    expect(received).to.deep.include([id]);
    expect(await unconfirmed()).to.equal(before + 1);
  });

  it("drops what an older instance's announcement names, which asks for no confirmation", async () => {
    const seen: string[][] = [];
    await instance((ids) => seen.push([...ids]));
    const ids = [randomUUID(), randomUUID()];

    await redis.publish(changesChannel, ids.join(','));

    await until('the announcement arriving', () => seen.some((each) => each[0] === ids[0]));
    expect(seen).to.deep.include(ids);
  });
});
