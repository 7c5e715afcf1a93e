import type { z } from 'zod';
import { isoOrNull } from '../platform/plain-rows';
import type { PatientClinicalResponse, PatientProfileResponse } from './schemas';
import type { PatientRecord } from './service';

/** For a provider caring for the patient: demographics and medical data; no insurance or billing. */
export function presentPatientForProvider(row: PatientRecord): z.input<typeof PatientClinicalResponse> {
  return {
    patientId: row.userId,
    givenName: row.givenName,
    familyName: row.familyName,
    dateOfBirth: row.dateOfBirth,
    phone: row.phone,
    allergies: row.allergies,
    conditions: row.conditions,
    medications: row.medications,
  };
}

/** For the patient themselves, and for an admin's audited break-glass read: the whole profile. */
export function presentPatientProfile(row: PatientRecord): z.input<typeof PatientProfileResponse> {
  return {
    ...presentPatientForProvider(row),
    insurance: {
      payer: row.insurancePayer,
      memberId: row.insuranceMemberId,
      groupNumber: row.insuranceGroupNumber,
    },
    subscription: {
      plan: row.subscriptionPlan,
      status: row.subscriptionStatus,
      renewsAt: isoOrNull(row.subscriptionRenewsAt),
    },
    version: row.version,
  };
}
