import type { Redis } from 'ioredis';
import type { Metrics } from '../observability/metrics';

/**
 * A budget of `points` per fixed window per key (a client address), decided in memory and shared through
 * Redis in batches, so that no request waits for Redis.
 *
 * Windows are aligned to the epoch (a 60 s window starts on each minute), so every instance counts the
 * same window and names it the same in Redis: `<keyPrefix>:<window start in ms>:<key>`. Each instance
 * refuses a key once the total Redis last returned for it plus this instance's admissions since then
 * reach `points`. Every `flushIntervalMs` one pipeline adds those admissions to Redis (INCRBY, and
 * PEXPIRE to the end of the window) and brings back each key's new total.
 *
 * So the budget is shared, approximately: an instance learns what the others admitted only when it
 * flushes a key it has admitted itself, and an address can exceed the budget by what other instances
 * admit for it within one flush interval (each refuses as soon as its own view is spent). On the instance
 * an address uses, the count is exact at once.
 *
 * Without Redis, or while it is unreachable, each instance counts alone; admissions Redis did not take are
 * sent again at the next interval, and never fail a request. At most `maxKeys` keys are tracked per window:
 * a spray of addresses makes the instance forget its oldest key (which Redis gives back at that key's
 * next flush), not grow without bound.
 */
export interface BatchedRateLimit {
  readonly points: number;
  /** Counts one request of `key` if the budget allows it. */
  spend(key: string): Spend;
  /** Sends the admissions not yet in Redis; never rejects. */
  flush(): Promise<void>;
  /** Stops the flusher after a last flush. */
  close(): Promise<void>;
}

export interface Spend {
  readonly admitted: boolean;
  /** Requests left to this key in the window, as this instance sees it. */
  readonly remaining: number;
  readonly msBeforeReset: number;
}

export interface BatchedRateLimitOptions {
  readonly keyPrefix: string;
  readonly points: number;
  readonly windowSeconds: number;
  readonly flushIntervalMs: number;
  readonly maxKeys: number;
  /** Milliseconds since the epoch; tests move it to cross a window. */
  readonly clock?: () => number;
}

/** Where Redis is configured: the connection, and the metrics that count flushes it did not take. */
export interface SharedCounts {
  readonly redis: Redis;
  readonly metrics: Metrics;
}

interface Count {
  /** Every instance's admissions, as Redis last returned them. */
  shared: number;
  /** This instance's admissions in the flush under way. */
  sending: number;
  /** This instance's admissions not yet sent. */
  unsent: number;
}

interface Window {
  readonly start: number;
  readonly end: number;
  readonly counts: Map<string, Count>;
  /** The keys with unsent admissions: a subset of `counts`, so bounded by maxKeys too. */
  readonly dirty: Map<string, Count>;
}

export function createBatchedRateLimit(
  options: BatchedRateLimitOptions,
  shared?: SharedCounts,
): BatchedRateLimit {
  const { points, maxKeys, keyPrefix } = options;
  const clock = options.clock ?? Date.now;
  const windowMs = options.windowSeconds * 1000;
  const windowAt = (now: number): Window => {
    const start = now - (now % windowMs);
    return { start, end: start + windowMs, counts: new Map(), dirty: new Map() };
  };
  let current = windowAt(clock());
  /** The window of `now`; an ended one is dropped whole, unsent admissions too (they limit no one now). */
  const windowOf = (now: number): Window => {
    if (now >= current.end) current = windowAt(now);
    return current;
  };

  const track = (window: Window, key: string): Count => {
    if (window.counts.size >= maxKeys) {
      const oldest = window.counts.keys().next().value as string;
      window.counts.delete(oldest);
      window.dirty.delete(oldest);
    }
    const count: Count = { shared: 0, sending: 0, unsent: 0 };
    window.counts.set(key, count);
    return count;
  };

  const spend = (key: string): Spend => {
    const now = clock();
    const window = windowOf(now);
    const count = window.counts.get(key) ?? track(window, key);
    const used = count.shared + count.sending + count.unsent;
    const msBeforeReset = window.end - now;
    if (used >= points) return { admitted: false, remaining: 0, msBeforeReset };
    count.unsent += 1;
    if (shared) window.dirty.set(key, count);
    return { admitted: true, remaining: points - used - 1, msBeforeReset };
  };

  const send = async ({ redis, metrics }: SharedCounts): Promise<void> => {
    const now = clock();
    const window = windowOf(now);
    if (window.dirty.size === 0) return;
    const batch = [...window.dirty];
    window.dirty.clear();
    for (const [, count] of batch) {
      count.sending = count.unsent;
      count.unsent = 0;
    }
    const ttlMs = window.end - now;
    // Off the ready connection, commands would only fail one by one (no offline queue): skip to the retry.
    const results =
      redis.status === 'ready'
        ? await redis
            .pipeline(
              batch.flatMap(([key, count]) => {
                const sharedKey = `${keyPrefix}:${window.start}:${key}`;
                return [
                  ['incrby', sharedKey, count.sending],
                  ['pexpire', sharedKey, ttlMs],
                ];
              }),
            )
            .exec()
            .catch(() => null)
        : null;
    let failed = false;
    batch.forEach(([key, count], index) => {
      const [added, expiring] = [results?.[2 * index], results?.[2 * index + 1]];
      if (added && added[0] === null && typeof added[1] === 'number') count.shared = added[1];
      else {
        // Sent again at the next flush, unless forgotten meanwhile (an INCRBY that timed out after Redis
        // applied it then counts twice, which errs towards refusing).
        count.unsent += count.sending;
        if (window.counts.get(key) === count) window.dirty.set(key, count);
      }
      count.sending = 0;
      if (!added || added[0] !== null || !expiring || expiring[0] !== null) failed = true;
    });
    if (failed) metrics.redis.degradedOperations.inc({ operation: 'rate_limit_flush' });
  };

  let flushing: Promise<void> | undefined;
  const flush = (): Promise<void> => {
    if (!shared) return Promise.resolve();
    flushing ??= send(shared).finally(() => {
      flushing = undefined;
    });
    return flushing;
  };
  const timer = shared && setInterval(() => void flush(), options.flushIntervalMs);
  // The flusher never keeps a process alive: a process that ends without close() loses one interval's counts.
  timer?.unref();

  return {
    points,
    spend,
    flush,
    async close() {
      clearInterval(timer);
      await flushing;
      await flush();
    },
  };
}
