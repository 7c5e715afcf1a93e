import { sqlMigration } from '../migration';

export default sqlMigration(
  '0015_operator_role_validated',
  `
  -- Validation scans the rows under a SHARE UPDATE EXCLUSIVE lock only: reads and writes go on meanwhile.
  ALTER TABLE users VALIDATE CONSTRAINT users_role_check;
  ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_actor_role_check;
  `,
  // A validated constraint cannot be made NOT VALID again, and nothing depends on it having been
  // validated: 0014's down drops and restores the constraints themselves.
  `SELECT 1;`,
);
