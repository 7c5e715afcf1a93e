import { sqlMigration } from '../migration';

export default sqlMigration(
  '0020_audit_hash_check_validated',
  `
  -- Validation scans the rows under a SHARE UPDATE EXCLUSIVE lock only: audit events go on being written.
  ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_content_hash_check;
  `,
  // A validated constraint cannot be made NOT VALID again, and nothing depends on it having been
  // validated: 0019's down restores the old constraint itself.
  `SELECT 1;`,
  // The audit trail is the largest table, kept for years: reading all of it can outlast the default
  // minute, and nothing waits on this lock but other schema changes.
  { timeouts: { statementTimeout: '30min' } },
);
