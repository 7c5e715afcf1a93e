import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Cache } from '../platform/cache';
import { createInvalidatedCache, type InvalidatedCache } from '../platform/invalidated-cache';
import { Provider } from './model';
import type { ProviderRecord } from './service';

/** What a provider's profile shows, availability included: the cached part of the row. */
export type ProviderProfile = Omit<ProviderRecord, 'createdAt' | 'updatedAt'>;

const PROFILE_ATTRIBUTES = [
  'userId',
  'displayName',
  'licenseNumber',
  'licenseState',
  'specialty',
  'acceptingPatients',
  'availability',
  'version',
] as const satisfies readonly (keyof ProviderProfile)[];

/**
 * Shared entries live a minute: every change through the service drops them on every instance at once,
 * so the expiry only bounds what a change made outside the service (by hand in SQL), or a fill racing a
 * change on another instance (see invalidated-cache.ts), leaves behind.
 */
const SHARED_TTL_SECONDS = 60;

export interface ProviderProfiles {
  /** The provider's profile, from the cache or PostgreSQL; undefined when there is none. */
  read(providerId: string): Promise<ProviderProfile | undefined>;
  /** Call after a change to a profile has committed: every instance reads it again. */
  changed(providerId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Provider profiles and availability, read on every look at a provider's own page and written when
 * they edit it or change availability. Keyed by the provider's id only (the profile holds a name).
 */
export function createProviderProfiles(cache: Cache, logger: Logger, metrics: Metrics): ProviderProfiles {
  const profiles: InvalidatedCache<ProviderProfile> = createInvalidatedCache(
    cache,
    { name: 'provider_profile', localTtlMs: 10_000, localMaxEntries: 5_000 },
    logger,
    metrics,
  );
  const load = async (providerId: string) =>
    (await Provider.findByPk(providerId, { attributes: [...PROFILE_ATTRIBUTES], raw: true })) ?? undefined;
  return {
    read: (providerId) => profiles.read(providerId, () => load(providerId), SHARED_TTL_SECONDS),
    changed: (providerId) => profiles.forget([providerId]),
    close: () => profiles.close(),
  };
}
