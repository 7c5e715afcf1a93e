import { createHash } from 'node:crypto';
import { Faker, base, en, en_US } from '@faker-js/faker';

/**
 * Two generators: `faker` for every value a person would see (names, dates, statuses, texts), seeded by
 * the seed alone; `ids` for identities (uuids, emails, licence numbers), seeded by the seed and the run tag.
 * The same seed therefore makes the same data under any tag, and two tags never share an account.
 */
export interface SeedRandom {
  readonly faker: Faker;
  readonly ids: Faker;
}

function seedWords(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  return [0, 4, 8, 12].map((offset) => digest.readUInt32BE(offset));
}

export function createSeedRandom(seed: number, runTag: string): SeedRandom {
  const locale = [en_US, en, base];
  const ids = new Faker({ locale });
  ids.seed(seedWords(`${seed}/${runTag}`));
  return { faker: new Faker({ locale, seed }), ids };
}

/** A log-normal draw: positive, skewed to the right, like waiting times and durations. */
export function logNormal(faker: Faker, median: number, sigma: number): number {
  // Box-Muller: two uniforms make one standard normal.
  const u = 1 - faker.number.float({ min: 0, max: 1 });
  const v = faker.number.float({ min: 0, max: 1 });
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * normal);
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Requests per hour of the local day (US Eastern, as UTC-5), relative: quiet nights, a busy day and evening. */
const HOURLY_WEIGHTS = [2, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 10, 10, 11, 11, 10, 10, 11, 11, 9, 7, 5, 3];
const LOCAL_OFFSET_HOURS = -5;
const WEEKEND_WEIGHT = 0.7;
const hourChoices = HOURLY_WEIGHTS.map((weight, hour) => ({ weight, value: hour }));

export function localHour(time: Date): number {
  return (time.getUTCHours() + 24 + LOCAL_OFFSET_HOURS) % 24;
}

/** How much slower providers answer at this local hour: fewer of them are on shift at night. */
export function nightSlowdown(time: Date): number {
  const hour = localHour(time);
  return hour < 7 || hour >= 22 ? 1.8 : 1;
}

/**
 * A moment in [from, to) with the day-and-hour shape of real demand: more requests in the daytime and on
 * weekdays. Draws until the moment falls inside the window (only the first and last day can miss).
 */
export function busyMoment(faker: Faker, from: Date, to: Date): Date {
  const firstDay = Math.floor(from.getTime() / DAY_MS);
  const lastDay = Math.floor((to.getTime() - 1) / DAY_MS);
  for (;;) {
    const day = faker.number.int({ min: firstDay, max: lastDay });
    const weekday = new Date(day * DAY_MS).getUTCDay();
    if ((weekday === 0 || weekday === 6) && faker.number.float({ min: 0, max: 1 }) > WEEKEND_WEIGHT) continue;
    const hour = faker.helpers.weightedArrayElement(hourChoices);
    const utcHour = (hour - LOCAL_OFFSET_HOURS + 24) % 24;
    const time = day * DAY_MS + utcHour * HOUR_MS + faker.number.int({ min: 0, max: HOUR_MS - 1 });
    if (time >= from.getTime() && time < to.getTime()) return new Date(time);
  }
}

/** A moment drawn uniformly in [from, to]. */
export function between(faker: Faker, from: Date, to: Date): Date {
  return new Date(faker.number.int({ min: from.getTime(), max: Math.max(from.getTime(), to.getTime()) }));
}
