import { z } from 'zod';
import { AVAILABILITIES, SPECIALTIES } from './model';

/** A provider edits how they are shown and whether they take patients; licences change through admins. */
export const UpdateProviderProfileBody = z
  .strictObject({
    displayName: z.string().trim().min(1).max(200),
    acceptingPatients: z.boolean(),
  })
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, { message: 'Give at least one field to change.' });
export type ProviderProfileChanges = z.infer<typeof UpdateProviderProfileBody>;

export const SetAvailabilityBody = z.strictObject({ availability: z.enum(AVAILABILITIES) });

export const ProviderProfileResponse = z.strictObject({
  providerId: z.uuid(),
  displayName: z.string().max(200),
  licenseNumber: z.string().max(50),
  licenseState: z.string().max(2),
  specialty: z.enum(SPECIALTIES),
  acceptingPatients: z.boolean(),
  availability: z.enum(AVAILABILITIES),
  version: z.number().int(),
});
