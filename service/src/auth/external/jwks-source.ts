import { createHash } from 'node:crypto';
import {
  createLocalJWKSet,
  errors,
  type CryptoKey,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose';
import { z } from 'zod';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import { createBreaker, type BreakerOptions } from '../../platform/breaker';
import type { Cache } from '../../platform/cache';
import { serviceUnavailable } from '../../platform/errors';

/**
 * The identity provider's public keys, kept so that its outage never stops verification of tokens
 * signed with keys we already know. The last good key set lives in memory and in the shared cache (so
 * an instance that starts during an outage still has keys); once stale it is refreshed in the
 * background while the old keys keep verifying. Only the first load ever makes a request wait on the
 * provider, and every request to it goes through a circuit breaker with a timeout.
 */
export interface JwksTuning {
  /** Keys this old are refreshed in the background; they keep verifying meanwhile. */
  readonly refreshAfterMs: number;
  /** A token whose `kid` is unknown triggers a refresh at most this often (forged kids cost nothing). */
  readonly unknownKidCooldownMs: number;
  /** How long the shared cache keeps the last good key set for other instances. */
  readonly sharedTtlSeconds: number;
  readonly breaker: Omit<BreakerOptions, 'timeoutMs'>;
}

export const DEFAULT_JWKS_TUNING: JwksTuning = {
  refreshAfterMs: 10 * 60_000,
  unknownKidCooldownMs: 30_000,
  sharedTtlSeconds: 24 * 3600,
  breaker: { resetTimeoutMs: 30_000 },
};

export interface JwksSourceOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly tuning: JwksTuning;
}

export interface JwksSourceDependencies {
  readonly cache: Cache;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

export interface JwksSource {
  /** A key resolver for jose's jwtVerify; throws a 503 AppError when the keys cannot be had. */
  getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey>;
  close(): void;
}

export const JWKS_BREAKER_NAME = 'supabase_jwks';

const jwkSetSchema = z.object({ keys: z.array(z.looseObject({ kty: z.string() })) });
const sharedEntrySchema = z.object({ fetchedAt: z.number(), jwks: jwkSetSchema });

interface KeySet {
  readonly resolve: ReturnType<typeof createLocalJWKSet>;
  readonly fetchedAt: number;
}

async function fetchJwks(signal: AbortSignal, url: string): Promise<JSONWebKeySet> {
  // No redirects: the key set must come from the configured address and nowhere else.
  const response = await fetch(url, { signal, redirect: 'error', headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`JWKS request answered ${response.status}`);
  return jwkSetSchema.parse(await response.json());
}

function parseSharedEntry(raw: string): z.infer<typeof sharedEntrySchema> | undefined {
  try {
    return sharedEntrySchema.parse(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

export function createJwksSource(options: JwksSourceOptions, deps: JwksSourceDependencies): JwksSource {
  const { tuning } = options;
  const breaker = createBreaker(
    JWKS_BREAKER_NAME,
    fetchJwks,
    { ...tuning.breaker, timeoutMs: options.timeoutMs },
    deps,
  );
  const sharedKey = `idp:jwks:${createHash('sha256').update(options.url).digest('hex').slice(0, 16)}`;
  let current: KeySet | undefined;
  let inflight: Promise<KeySet> | undefined;
  let lastUnknownKidRefresh = Number.NEGATIVE_INFINITY;

  const adopt = (jwks: JSONWebKeySet, fetchedAt: number): KeySet => {
    current = { resolve: createLocalJWKSet(jwks), fetchedAt };
    return current;
  };
  const isFresh = (fetchedAt: number) => Date.now() - fetchedAt < tuning.refreshAfterMs;

  /** Another instance may have fetched the keys already; a cache outage only costs a provider request. */
  async function fromSharedCache(): Promise<KeySet | undefined> {
    const raw = await deps.cache.get('external_jwks', sharedKey).catch(() => undefined);
    const entry = raw === undefined ? undefined : parseSharedEntry(raw);
    if (!entry || (current && current.fetchedAt >= entry.fetchedAt)) return undefined;
    return adopt(entry.jwks, entry.fetchedAt);
  }

  async function fromProvider(): Promise<KeySet> {
    let jwks: JSONWebKeySet;
    try {
      jwks = await breaker.fire(options.url);
    } catch (error) {
      throw serviceUnavailable(
        'The identity provider cannot be reached.',
        'identity_provider_unavailable',
        error,
      );
    }
    const fetchedAt = Date.now();
    const keySet = adopt(jwks, fetchedAt);
    await deps.cache
      .set(sharedKey, JSON.stringify({ fetchedAt, jwks }), tuning.sharedTtlSeconds)
      .catch((error: Error) =>
        deps.logger.warn('could not share the identity provider keys', { error: error.message }),
      );
    return keySet;
  }

  /**
   * One refresh at a time, however many requests want it. Stale keys are first looked for in the shared
   * cache (another instance may have refreshed them); an unknown kid asks the provider itself.
   */
  function refresh(reason: 'stale' | 'unknown_kid'): Promise<KeySet> {
    inflight ??= (async () => {
      try {
        const shared = reason === 'stale' ? await fromSharedCache() : undefined;
        return shared && isFresh(shared.fetchedAt) ? shared : await fromProvider();
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  function refreshInBackground(): void {
    // While the breaker is open the attempt would only be refused (and logged) on every request.
    if (breaker.state() === 'open') return;
    void refresh('stale').catch((error: Error) =>
      deps.logger.warn('identity provider keys not refreshed; the cached keys stay in use', {
        reason: error.cause instanceof Error ? error.cause.message : error.message,
      }),
    );
  }

  async function keysForVerification(): Promise<KeySet> {
    const keySet = current ?? (await fromSharedCache());
    if (!keySet) return refresh('stale');
    if (!isFresh(keySet.fetchedAt)) refreshInBackground();
    return keySet;
  }

  /** The provider may have rotated its keys; undefined when a refresh was tried too recently. */
  function refreshForUnknownKid(): Promise<KeySet> | undefined {
    if (inflight) return inflight;
    const now = Date.now();
    if (now - lastUnknownKidRefresh < tuning.unknownKidCooldownMs) return undefined;
    lastUnknownKidRefresh = now;
    return refresh('unknown_kid');
  }

  return {
    async getKey(header, token) {
      const keySet = await keysForVerification();
      try {
        return await keySet.resolve(header, token);
      } catch (error) {
        const retry = error instanceof errors.JWKSNoMatchingKey ? refreshForUnknownKid() : undefined;
        if (!retry) throw error;
        return (await retry).resolve(header, token);
      }
    },
    close: () => breaker.close(),
  };
}
