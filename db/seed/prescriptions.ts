import type { PrescriptionStatus } from '../../service/src/prescriptions/model';
import type { SeedContext } from './context';
import { between, HOUR_MS, logNormal, MINUTE_MS } from './random';
import type { ConsultationRow, PrescriptionRow } from './tables';
import { cutAt, whenReached, type Transition } from './timeline';
import { PRESCRIBABLE } from './vocabulary';

const itemsPerVisit = [
  { weight: 75, value: 1 },
  { weight: 20, value: 2 },
  { weight: 5, value: 3 },
];
const refillChoices = [
  { weight: 70, value: 0 },
  { weight: 15, value: 1 },
  { weight: 10, value: 3 },
  { weight: 5, value: 5 },
];

/**
 * Issued at the end of the visit and usually sent to the pharmacy within minutes, then picked up hours or
 * days later. Some are withdrawn, some wait unsent for the patient to choose a pharmacy, some are never
 * picked up.
 */
function planPrescription(context: SeedContext, issuedAt: Date): Transition<PrescriptionStatus>[] {
  const { faker } = context.random;
  const later = (from: Date, ms: number) => new Date(from.getTime() + Math.max(ms, 1000));
  const fate = faker.number.float({ min: 0, max: 1 });
  if (fate < 0.04)
    return [{ to: 'cancelled', at: later(issuedAt, faker.number.int({ min: 2, max: 120 }) * MINUTE_MS) }];
  if (fate < 0.08) return [];
  const sent = { to: 'sent', at: later(issuedAt, logNormal(faker, 5, 0.6) * MINUTE_MS) } as const;
  const collected = later(sent.at, logNormal(faker, 6, 1) * HOUR_MS);
  if (fate < 0.11) return [sent, { to: 'cancelled', at: collected }];
  if (fate < 0.22) return [sent];
  return [sent, { to: 'filled', at: collected }];
}

function prescriptionRow(
  context: SeedContext,
  visit: ConsultationRow & { started_at: Date; ended_at: Date },
): PrescriptionRow {
  const { faker, ids } = context.random;
  const item = faker.helpers.arrayElement(PRESCRIBABLE);
  const issuedAt = between(faker, visit.started_at, visit.ended_at);
  const cut = cutAt('issued', issuedAt, planPrescription(context, issuedAt), context.options.end);
  return {
    id: ids.string.uuid(),
    consultation_id: visit.id,
    patient_id: visit.patient_id,
    provider_id: visit.provider_id!,
    medication: item.medication,
    dosage: item.dosage,
    quantity: item.quantity,
    refills: faker.helpers.weightedArrayElement(refillChoices),
    status: cut.status,
    issued_at: issuedAt,
    sent_at: whenReached(cut.happened, 'sent'),
    filled_at: whenReached(cut.happened, 'filled'),
    cancelled_at: whenReached(cut.happened, 'cancelled'),
    version: cut.version,
    created_at: issuedAt,
    updated_at: cut.lastChangedAt,
  };
}

const isPrescribingVisit = (
  visit: ConsultationRow,
): visit is ConsultationRow & { started_at: Date; ended_at: Date } =>
  visit.status === 'completed' &&
  visit.outcome === 'prescribed' &&
  visit.started_at !== null &&
  visit.ended_at !== null;

/** One to three prescriptions for every completed consultation whose outcome was a prescription. */
export function generatePrescriptions(
  context: SeedContext,
  consultations: readonly ConsultationRow[],
): PrescriptionRow[] {
  const { faker } = context.random;
  return consultations
    .filter(isPrescribingVisit)
    .flatMap((visit) =>
      Array.from({ length: faker.helpers.weightedArrayElement(itemsPerVisit) }, () =>
        prescriptionRow(context, visit),
      ),
    );
}
