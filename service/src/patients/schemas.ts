import { z } from 'zod';
import { SUBSCRIPTION_PLANS, SUBSCRIPTION_STATUSES } from './model';

const name = z.string().trim().min(1).max(100);
const medicalList = z.array(z.string().trim().min(1).max(200)).max(50).nullable();
const insuranceField = z.string().trim().min(1).max(100).nullable();

/** What a patient may change about themselves; subscriptions change through billing, not here. */
export const UpdatePatientProfileBody = z
  .strictObject({
    givenName: name,
    familyName: name,
    dateOfBirth: z.iso
      .date()
      .refine((date) => date > '1900-01-01' && date <= new Date().toISOString().slice(0, 10), {
        message: 'Must be a past date after 1900-01-01.',
      }),
    phone: z
      .string()
      .max(31)
      .regex(/^\+?[0-9 ()-]{5,30}$/, 'A phone number such as +1 555 0100.')
      .nullable(),
    allergies: medicalList,
    conditions: medicalList,
    medications: medicalList,
    insurancePayer: insuranceField,
    insuranceMemberId: insuranceField,
    insuranceGroupNumber: insuranceField,
  })
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, { message: 'Give at least one field to change.' });
export type PatientProfileChanges = z.infer<typeof UpdatePatientProfileBody>;

export const PatientParams = z.strictObject({ patientId: z.uuid() });

const demographics = {
  patientId: z.uuid(),
  givenName: z.string().max(100),
  familyName: z.string().max(100),
  dateOfBirth: z.iso.date(),
  phone: z.string().max(31).nullable(),
};
// What leaves has the limits of what came in (UpdatePatientProfileBody, RegisterBody).
const storedMedicalList = z.array(z.string().max(200)).max(50).nullable();
const medical = {
  allergies: storedMedicalList,
  conditions: storedMedicalList,
  medications: storedMedicalList,
};

/** What a provider caring for the patient sees: who they are and their medical data. */
export const PatientClinicalResponse = z.strictObject({ ...demographics, ...medical });

/** What the patient sees about themselves (and an admin through break-glass access). */
export const PatientProfileResponse = PatientClinicalResponse.extend({
  insurance: z.strictObject({
    payer: z.string().max(100).nullable(),
    memberId: z.string().max(100).nullable(),
    groupNumber: z.string().max(100).nullable(),
  }),
  subscription: z.strictObject({
    plan: z.enum(SUBSCRIPTION_PLANS),
    status: z.enum(SUBSCRIPTION_STATUSES),
    renewsAt: z.iso.datetime().nullable(),
  }),
  version: z.number().int(),
});
