import { OUTCOMES } from '../../service/src/consultations/model';
import { sealJson } from '../../service/src/platform/field-cipher';
import type { Specialty } from '../../service/src/providers/model';
import { planConsultation } from './consultation-plan';
import type { SeedContext } from './context';
import type { SeededPatient } from './patients';
import type { SeededProvider } from './providers';
import { busyMoment, DAY_MS } from './random';
import { cutAt, whenReached } from './timeline';
import type { ConsultationRow } from './tables';
import { FINDINGS, PLANS, REASONS } from './vocabulary';

/** Consultations per patient over the window: most people use the service rarely, a few often. */
const visitsPerPatient = [
  { weight: 30, value: 0 },
  { weight: 25, value: 1 },
  { weight: 18, value: 2 },
  { weight: 12, value: 3 },
  { weight: 7, value: 4 },
  { weight: 4, value: 5 },
  { weight: 2, value: 6 },
  { weight: 1, value: 8 },
  { weight: 1, value: 12 },
];
const OUTCOME_SHARE: Record<(typeof OUTCOMES)[number], number> = {
  resolved: 35,
  prescribed: 35,
  follow_up: 18,
  referred: 10,
  emergency_referral: 2,
};
const outcomeChoices = OUTCOMES.map((value) => ({ weight: OUTCOME_SHARE[value], value }));
const ADULT_DEMAND: Partial<Record<Specialty, number>> = {
  general_practice: 34,
  urgent_care: 26,
  psychiatry: 12,
  dermatology: 10,
  womens_health: 8,
  cardiology: 5,
  endocrinology: 5,
};
const CHILD_DEMAND: Partial<Record<Specialty, number>> = { pediatrics: 70, urgent_care: 20, dermatology: 10 };

/** Assigns providers by specialty, never giving one provider two visits in progress at once. */
class Roster {
  private readonly bySpecialty = new Map<Specialty, SeededProvider[]>();
  private readonly inProgress = new Set<string>();

  constructor(providers: readonly SeededProvider[]) {
    for (const provider of providers) {
      const list = this.bySpecialty.get(provider.profile.specialty) ?? [];
      list.push(provider);
      this.bySpecialty.set(provider.profile.specialty, list);
    }
  }

  /** What a patient of this age asks for, among the specialties somebody on the roster practises. */
  demandFor(age: number): { weight: number; value: Specialty }[] {
    const demand = Object.entries(age < 18 ? CHILD_DEMAND : ADULT_DEMAND) as [Specialty, number][];
    const staffed = demand.filter(([specialty]) => this.bySpecialty.has(specialty));
    const choices =
      staffed.length > 0 ? staffed : [...this.bySpecialty.keys()].map((specialty) => [specialty, 1] as const);
    return choices.map(([value, weight]) => ({ weight, value }));
  }

  pick(context: SeedContext, specialty: Specialty, inProgress: boolean): string {
    const all = this.bySpecialty.get(specialty) ?? [];
    const free = inProgress ? all.filter((provider) => !this.inProgress.has(provider.profile.user_id)) : all;
    const chosen = context.random.faker.helpers.arrayElement(free.length > 0 ? free : all).profile.user_id;
    if (inProgress) this.inProgress.add(chosen);
    return chosen;
  }

  /** Providers in a visit right now show as busy. */
  markBusy(providers: SeededProvider[]): void {
    for (const provider of providers)
      if (this.inProgress.has(provider.profile.user_id)) provider.profile.availability = 'busy';
  }
}

function consultationRow(
  context: SeedContext,
  roster: Roster,
  patient: SeededPatient,
  specialty: Specialty,
  requestedAt: Date,
): ConsultationRow {
  const { faker, ids } = context.random;
  const { end, requestTtlSeconds } = context.options;
  const plan = planConsultation(faker, specialty, requestedAt, requestTtlSeconds * 1000);
  const cut = cutAt('requested', requestedAt, plan, end);
  const acceptedAt = whenReached(cut.happened, 'accepted');
  const outcome = cut.status === 'completed' ? faker.helpers.weightedArrayElement(outcomeChoices) : null;
  const notes =
    outcome && `${faker.helpers.arrayElement(FINDINGS)} ${faker.helpers.arrayElement(PLANS[outcome])}`;
  return {
    id: ids.string.uuid(),
    patient_id: patient.profile.user_id,
    provider_id: acceptedAt ? roster.pick(context, specialty, cut.status === 'in_progress') : null,
    specialty,
    status: cut.status,
    reason: sealJson(context.cipher, faker.helpers.arrayElement(REASONS[specialty])),
    requested_at: requestedAt,
    expires_at: new Date(requestedAt.getTime() + requestTtlSeconds * 1000),
    accepted_at: acceptedAt,
    started_at: whenReached(cut.happened, 'in_progress'),
    ended_at:
      cut.happened.find((step) => ['completed', 'cancelled', 'no_show'].includes(step.to))?.at ?? null,
    cancelled_by: cut.happened.find((step) => step.to === 'cancelled')?.by ?? null,
    outcome,
    notes: sealJson(context.cipher, notes),
    version: cut.version,
    created_at: requestedAt,
    updated_at: cut.lastChangedAt,
  };
}

/**
 * Each patient's requests over the window, at busy hours, for specialties that fit their age; each one
 * lived through to the end of the window. Providers left in a visit at the end are marked busy.
 */
export function generateConsultations(
  context: SeedContext,
  patients: readonly SeededPatient[],
  providers: SeededProvider[],
): ConsultationRow[] {
  const { faker } = context.random;
  const { end, days } = context.options;
  const roster = new Roster(providers);
  const windowStart = new Date(end.getTime() - days * DAY_MS);
  const rows: ConsultationRow[] = [];
  for (const patient of patients) {
    const visits = faker.helpers.weightedArrayElement(visitsPerPatient);
    const demand = roster.demandFor(patient.age);
    const from = patient.signedUpAt > windowStart ? patient.signedUpAt : windowStart;
    for (let visit = 0; visit < visits; visit++) {
      const specialty = faker.helpers.weightedArrayElement(demand);
      rows.push(consultationRow(context, roster, patient, specialty, busyMoment(faker, from, end)));
    }
  }
  roster.markBusy(providers);
  return rows;
}
