import { sqlMigration } from '../migration';

export default sqlMigration(
  '0008_provider_worklist',
  `
  -- A provider's consultations, newest first, paged by (requested_at, id): consultations_provider leads
  -- with status, so without a status filter it cannot give that order and every one of the provider's
  -- rows would be read and sorted. Unassigned requests have no provider and are left out.
  CREATE INDEX consultations_provider_requested ON consultations (provider_id, requested_at DESC, id DESC)
    WHERE provider_id IS NOT NULL;
  `,
  `DROP INDEX consultations_provider_requested;`,
);
