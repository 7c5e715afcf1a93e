import type { z } from 'zod';
import { isoOrNull as iso } from '../platform/plain-rows';
import type { PrescriptionResponse } from './schemas';
import type { PrescriptionRecord } from './service';

/** The fields a prescription response carries; the patient and its writer see the same ones. */
export function presentPrescription(row: PrescriptionRecord): z.input<typeof PrescriptionResponse> {
  return {
    id: row.id,
    consultationId: row.consultationId,
    patientId: row.patientId,
    providerId: row.providerId,
    medication: row.medication,
    dosage: row.dosage,
    quantity: row.quantity,
    refills: row.refills,
    status: row.status,
    issuedAt: row.issuedAt.toISOString(),
    sentAt: iso(row.sentAt),
    filledAt: iso(row.filledAt),
    cancelledAt: iso(row.cancelledAt),
    version: row.version,
  };
}
