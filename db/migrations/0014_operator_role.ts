import { sqlMigration } from '../migration';

export default sqlMigration(
  '0014_operator_role',
  `
  -- Operators watch the operations console: aggregates only, never PHI or ids. An admin creates them, like
  -- providers, and they act (and are audited) under their own role. The wider checks are added NOT VALID
  -- (no scan under an exclusive lock; every existing row passed the narrower check) and validated by 0015.
  ALTER TABLE users DROP CONSTRAINT users_role_check;
  ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('patient', 'provider', 'admin', 'operator')) NOT VALID;
  ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_role_check;
  ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_role_check
    CHECK (actor_role IN ('patient', 'provider', 'admin', 'operator', 'anonymous', 'system')) NOT VALID;
  `,
  `
  ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_role_check;
  ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_role_check
    CHECK (actor_role IN ('patient', 'provider', 'admin', 'anonymous', 'system'));
  ALTER TABLE users DROP CONSTRAINT users_role_check;
  ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('patient', 'provider', 'admin'));
  `,
);
