import type { z } from 'zod';
import type { ProviderProfileResponse } from './schemas';
import type { ProviderProfile } from './profile-cache';

export function presentProviderProfile(row: ProviderProfile): z.input<typeof ProviderProfileResponse> {
  return {
    providerId: row.userId,
    displayName: row.displayName,
    licenseNumber: row.licenseNumber,
    licenseState: row.licenseState,
    specialty: row.specialty,
    acceptingPatients: row.acceptingPatients,
    availability: row.availability,
    version: row.version,
  };
}
