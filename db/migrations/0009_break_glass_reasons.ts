import { sqlMigration } from '../migration';

export default sqlMigration(
  '0009_break_glass_reasons',
  `
  -- Why an admin broke the glass. The reason is free text about a patient, so it cannot go in the audit
  -- event: it is kept here, encrypted by the application (the field cipher, as consultation reasons are),
  -- and the break-glass audit event names this row's id in its details. Like the audit trail it has no
  -- foreign keys (it must outlive the accounts it speaks of) and the application may only add and read.
  CREATE TABLE break_glass_reasons (
    id uuid PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_user_id uuid NOT NULL,
    patient_id uuid NOT NULL,
    request_id text,
    reason text NOT NULL
  );
  CREATE INDEX break_glass_reasons_time ON break_glass_reasons (occurred_at, id);
  CREATE INDEX break_glass_reasons_patient ON break_glass_reasons (patient_id, occurred_at);
  CREATE INDEX break_glass_reasons_actor ON break_glass_reasons (actor_user_id, occurred_at);

  REVOKE ALL ON break_glass_reasons FROM carewatch_app;
  GRANT SELECT, INSERT ON break_glass_reasons TO carewatch_app;
  CREATE TRIGGER break_glass_reasons_append_only BEFORE UPDATE OR DELETE ON break_glass_reasons
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
  CREATE TRIGGER break_glass_reasons_no_truncate BEFORE TRUNCATE ON break_glass_reasons
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
  `,
  `DROP TABLE break_glass_reasons;`,
);
