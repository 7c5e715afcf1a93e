/** The profiles of `npm run load`, each an environment of loadtests/artillery/carewatch.yml. */
export const PROFILES = ['smoke', 'day', 'peak', 'stress', 'soak'] as const;
export type Profile = (typeof PROFILES)[number];

/** How big a database each profile seeds when the runner starts the service itself. */
export const SEED_SIZES: Record<Profile, { patients: number; providers: number; admins: number }> = {
  smoke: { patients: 2_000, providers: 50, admins: 3 },
  day: { patients: 100_000, providers: 2_000, admins: 20 },
  peak: { patients: 100_000, providers: 2_000, admins: 20 },
  stress: { patients: 100_000, providers: 2_000, admins: 20 },
  soak: { patients: 100_000, providers: 2_000, admins: 20 },
};

/** What the profile promises, for the report's headline (the thresholds themselves are in the YAML). */
export const TARGETS: Record<Profile, string> = {
  smoke: 'every persona once over a minute; p99 < 5 s, failures < 1 %',
  day: 'about 500 req/s, about 3,000 concurrent users; p99 < 2 s, errors < 0.1 %',
  peak: 'about 1,000 req/s, about 5,000 concurrent users; p99 < 2 s, errors < 0.1 %',
  stress: 'arrivals ramp from 1/s to 100/s over 8 minutes until it breaks; find the knee',
  soak: 'an hour at half the day rate; memory and latency drift',
};
