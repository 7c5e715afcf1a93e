import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { CacheName } from './cache';

/**
 * How long an announcement waits for the instances Redis delivered it to. Past it, an instance is stalled
 * or gone: the change goes on (PostgreSQL holds the truth), the gap is counted, and that instance's
 * copies end within their local TTL at the latest.
 */
export const CONFIRMATION_TIMEOUT_MS = 500;

/** Ends an announcement: `<id>,<id>,confirm:<announcer>:<number>`. Older instances take it for an id. */
const CONFIRM_TAG = 'confirm:';

export interface ChangeAnnouncements {
  /** True while this instance is subscribed: announcements reach it, and confirmations come back. */
  readonly listening: boolean;
  /**
   * Tells every instance that `ids` changed; resolves once each instance Redis delivered it to has
   * dropped its copies (see CONFIRMATION_TIMEOUT_MS). Rejects when Redis did not take it.
   */
  announce(ids: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface ChangeListener {
  /** Ids another instance (or this one) announced as changed. */
  changed(ids: readonly string[]): void;
  /** The subscription was lost: announcements may be missed until it is back. */
  unsubscribed(): void;
}

/** An announcement of this instance, until as many confirmations came as Redis counted receivers. */
interface Waiting {
  confirmed: number;
  expected: number;
  settle: () => void;
}

function parse(message: string): { ids: string[]; confirm?: { announcer: string; number: string } } {
  const parts = message.split(',');
  const last = parts[parts.length - 1]!;
  if (!last.startsWith(CONFIRM_TAG)) return { ids: parts };
  const [announcer, number] = last.slice(CONFIRM_TAG.length).split(':');
  return { ids: parts.slice(0, -1), confirm: { announcer: announcer!, number: number! } };
}

/**
 * Change announcements of one cache over Redis pub/sub. Redis answers PUBLISH once it has queued the
 * message for the subscribers, not once they have read it, so another instance could still answer a
 * request from its old copy after the change's own answer has left (seen under load). Each instance
 * therefore confirms an announcement on the announcer's own channel after dropping its copies, and the
 * announcer waits for as many confirmations as Redis counted subscribers.
 */
export function listenForChanges(
  redis: Redis,
  name: CacheName,
  listener: ChangeListener,
  logger: Logger,
  metrics: Metrics,
): ChangeAnnouncements {
  const prefix = redis.options.keyPrefix ?? '';
  const changesChannel = `${prefix}${name}-changes`;
  const confirmationsOf = (announcer: string) => `${prefix}${name}-confirmations:${announcer}`;
  const self = randomUUID();
  const ownConfirmations = confirmationsOf(self);
  let listening = false;
  let announced = 0;
  const awaiting = new Map<string, Waiting>();

  const received = (message: string) => {
    const { ids, confirm } = parse(message);
    listener.changed(ids);
    if (confirm)
      // A confirmation Redis does not take makes the announcer wait out its timeout: nothing to do here.
      redis.publish(confirmationsOf(confirm.announcer), confirm.number).catch(() => undefined);
  };
  const confirmed = (number: string) => {
    const waiting = awaiting.get(number);
    if (!waiting) return;
    waiting.confirmed += 1;
    if (waiting.confirmed >= waiting.expected) waiting.settle();
  };

  const subscriber = redis.duplicate({ autoResubscribe: false, enableOfflineQueue: true });
  subscriber.on('message', (channel: string, message: string) =>
    channel === changesChannel ? received(message) : confirmed(message),
  );
  subscriber.on('close', () => {
    listening = false;
    listener.unsubscribed();
  });
  subscriber.on('error', (error: Error) =>
    logger.warn('change subscription error', { cache: name, error: error.message }),
  );
  subscriber.on('ready', () => {
    subscriber.subscribe(changesChannel, ownConfirmations).then(
      () => (listening = true),
      (error: unknown) =>
        logger.warn('could not subscribe to changes', { cache: name, error: (error as Error).message }),
    );
  });

  return {
    get listening() {
      return listening;
    },
    async announce(ids) {
      // Unsubscribed, no confirmation could reach this instance: the others are told, not waited for.
      if (!listening) {
        await redis.publish(changesChannel, ids.join(','));
        return;
      }
      announced += 1;
      const number = String(announced);
      const waiting: Waiting = { confirmed: 0, expected: Number.POSITIVE_INFINITY, settle: () => undefined };
      const settled = new Promise<void>((resolve) => (waiting.settle = resolve));
      awaiting.set(number, waiting);
      try {
        // Confirmations may come back before PUBLISH's own answer: they are counted from here on.
        waiting.expected = await redis.publish(
          changesChannel,
          `${ids.join(',')},${CONFIRM_TAG}${self}:${number}`,
        );
        if (waiting.confirmed < waiting.expected) {
          const timer = setTimeout(() => {
            metrics.cache.unconfirmedChanges.inc({ cache: name });
            logger.warn('not every instance confirmed a change in time; their copies end within their TTL', {
              cache: name,
              confirmed: waiting.confirmed,
              expected: waiting.expected,
              timeoutMs: CONFIRMATION_TIMEOUT_MS,
            });
            waiting.settle();
          }, CONFIRMATION_TIMEOUT_MS);
          await settled;
          clearTimeout(timer);
        }
      } finally {
        awaiting.delete(number);
      }
    },
    async close() {
      for (const waiting of awaiting.values()) waiting.settle();
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
