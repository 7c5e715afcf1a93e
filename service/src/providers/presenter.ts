import type { z } from 'zod';
import type { ProviderProfileResponse } from './schemas';
import type { ProviderRecord } from './service';

export function presentProviderProfile(row: ProviderRecord): z.input<typeof ProviderProfileResponse> {
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
