import { OUTCOMES } from '../../service/src/consultations/model';
import { sealJson } from '../../service/src/platform/field-cipher';
import type { Specialty } from '../../service/src/providers/model';
import { planConsultation, unansweredPlan } from './consultation-plan';
import type { SeedContext } from './context';
import type { SeededPatient } from './patients';
import type { SeededProvider } from './providers';
import { Roster } from './roster';
import { between, busyMoment, DAY_MS, HOUR_MS } from './random';
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

function consultationRow(
  context: SeedContext,
  roster: Roster,
  patient: SeededPatient,
  specialty: Specialty,
  requestedAt: Date,
): ConsultationRow {
  const { faker, ids } = context.random;
  const { end, requestTtlSeconds } = context.options;
  const ttlMs = requestTtlSeconds * 1000;
  const planned = cutAt(
    'requested',
    requestedAt,
    planConsultation(faker, specialty, requestedAt, ttlMs),
    end,
  );
  const accepted = whenReached(planned.happened, 'accepted') !== null;
  const providerId = accepted ? roster.pick(context, specialty, planned.status === 'in_progress') : null;
  // Every provider of the specialty is already in a visit: nobody has taken this request.
  const cut =
    accepted && !providerId
      ? cutAt('requested', requestedAt, unansweredPlan(requestedAt, ttlMs), end)
      : planned;
  const acceptedAt = whenReached(cut.happened, 'accepted');
  const outcome = cut.status === 'completed' ? faker.helpers.weightedArrayElement(outcomeChoices) : null;
  const notes =
    outcome && `${faker.helpers.arrayElement(FINDINGS)} ${faker.helpers.arrayElement(PLANS[outcome])}`;
  return {
    id: ids.string.uuid(),
    patient_id: patient.profile.user_id,
    provider_id: providerId,
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

function pickSpecialty(context: SeedContext, roster: Roster, patient: SeededPatient): Specialty {
  return context.random.faker.helpers.weightedArrayElement(roster.demandFor(patient.age));
}

/**
 * Each patient's requests over the window, at busy hours, for specialties that fit their age; each one
 * lived through to the end of the window. Then the traffic of the last hour (`inFlight` requests), so the
 * end of the window has a queue, accepted requests and visits in progress. Providers in a visit are busy.
 */
export function generateConsultations(
  context: SeedContext,
  patients: readonly SeededPatient[],
  providers: SeededProvider[],
): ConsultationRow[] {
  const { faker } = context.random;
  const { end, days, inFlight } = context.options;
  const roster = new Roster(providers);
  const windowStart = new Date(end.getTime() - days * DAY_MS);
  const rows: ConsultationRow[] = [];
  for (const patient of patients) {
    const visits = faker.helpers.weightedArrayElement(visitsPerPatient);
    const from = patient.signedUpAt > windowStart ? patient.signedUpAt : windowStart;
    for (let visit = 0; visit < visits; visit++) {
      const requestedAt = busyMoment(faker, from, end);
      rows.push(
        consultationRow(context, roster, patient, pickSpecialty(context, roster, patient), requestedAt),
      );
    }
  }
  const lastHour = new Date(end.getTime() - HOUR_MS);
  for (let request = 0; request < inFlight; request++) {
    const patient = faker.helpers.arrayElement(patients);
    rows.push(
      consultationRow(
        context,
        roster,
        patient,
        pickSpecialty(context, roster, patient),
        between(faker, lastHour, end),
      ),
    );
  }
  roster.markBusy(providers);
  return rows;
}
