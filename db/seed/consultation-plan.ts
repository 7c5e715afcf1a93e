import type { Faker } from '@faker-js/faker';
import type { ConsultationStatus } from '../../service/src/consultations/model';
import type { Specialty } from '../../service/src/providers/model';
import { logNormal, MINUTE_MS, nightSlowdown } from './random';
import type { Transition } from './timeline';

export type CancelledBy = 'patient' | 'provider' | 'admin';

export interface ConsultationTransition extends Transition<ConsultationStatus> {
  readonly by?: CancelledBy;
}

/**
 * How each specialty's queue behaves, in minutes: the median wait for a provider to accept (urgent care
 * answers fast, psychiatry slowly enough that some requests expire) and the median length of a visit.
 */
export const SPECIALTY_PACE: Record<
  Specialty,
  { readonly acceptMedian: number; readonly visitMedian: number }
> = {
  urgent_care: { acceptMedian: 2, visitMedian: 10 },
  general_practice: { acceptMedian: 4, visitMedian: 12 },
  pediatrics: { acceptMedian: 5, visitMedian: 15 },
  womens_health: { acceptMedian: 7, visitMedian: 18 },
  dermatology: { acceptMedian: 10, visitMedian: 12 },
  cardiology: { acceptMedian: 12, visitMedian: 20 },
  endocrinology: { acceptMedian: 12, visitMedian: 20 },
  psychiatry: { acceptMedian: 14, visitMedian: 40 },
};

const ACCEPT_SPREAD = 0.75;
const JOIN_MEDIAN_MINUTES = 3;
const NO_SHOW_GRACE_MINUTES = 15;
const EARLY_CANCEL_RATE = 0.04;
const LATE_CANCEL_RATE = 0.04;
const NO_SHOW_RATE = 0.05;
const cancellers = [
  { weight: 6, value: 'patient' },
  { weight: 3, value: 'provider' },
  { weight: 1, value: 'admin' },
] as const;

const after = (time: Date, minutes: number) => new Date(time.getTime() + Math.max(minutes, 0.5) * MINUTE_MS);

/** A request nobody takes: it waits, then expires. */
export function unansweredPlan(requestedAt: Date, requestTtlMs: number): ConsultationTransition[] {
  return [{ to: 'expired', at: new Date(requestedAt.getTime() + requestTtlMs) }];
}

/**
 * The whole life of one request, from the request on: cancelled while waiting, expired unanswered, or
 * accepted and then cancelled, missed by the patient, or held and completed.
 */
export function planConsultation(
  faker: Faker,
  specialty: Specialty,
  requestedAt: Date,
  requestTtlMs: number,
): ConsultationTransition[] {
  const ttlMinutes = requestTtlMs / MINUTE_MS;
  if (faker.datatype.boolean(EARLY_CANCEL_RATE)) {
    const at = after(requestedAt, faker.number.float({ min: 0.5, max: ttlMinutes * 0.8 }));
    return [{ to: 'cancelled', at, by: 'patient' }];
  }
  const pace = SPECIALTY_PACE[specialty];
  const wait = logNormal(faker, pace.acceptMedian * nightSlowdown(requestedAt), ACCEPT_SPREAD);
  if (wait >= ttlMinutes) return unansweredPlan(requestedAt, requestTtlMs);

  const acceptedAt = after(requestedAt, wait);
  const accepted: ConsultationTransition = { to: 'accepted', at: acceptedAt };
  const fate = faker.number.float({ min: 0, max: 1 });
  if (fate < LATE_CANCEL_RATE) {
    const at = after(acceptedAt, faker.number.float({ min: 1, max: 20 }));
    return [accepted, { to: 'cancelled', at, by: faker.helpers.weightedArrayElement([...cancellers]) }];
  }
  if (fate < LATE_CANCEL_RATE + NO_SHOW_RATE)
    return [accepted, { to: 'no_show', at: after(acceptedAt, NO_SHOW_GRACE_MINUTES) }];
  const startedAt = after(acceptedAt, logNormal(faker, JOIN_MEDIAN_MINUTES, 0.5));
  const endedAt = after(startedAt, logNormal(faker, pace.visitMedian, 0.4));
  return [accepted, { to: 'in_progress', at: startedAt }, { to: 'completed', at: endedAt }];
}
