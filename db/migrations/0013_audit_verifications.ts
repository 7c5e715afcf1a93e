import { sqlMigration } from '../migration';

export default sqlMigration(
  '0013_audit_verifications',
  `
  -- Every run of the audit chain verifier, scheduled or by hand: the proof that verification happens,
  -- and the one fact every instance exports as carewatch_audit_last_verification_*, whichever instance
  -- ran it. A run writes 'started' when it claims the schedule and 'passed' or 'failed' when it ends, so
  -- the table stays append-only like the trail it vouches for. problem_kind is the verifier's kind
  -- (changed, removed, inserted...), never event content.
  CREATE TABLE audit_verifications (
    id bigserial PRIMARY KEY,
    run_id uuid NOT NULL,
    state text NOT NULL CHECK (state IN ('started', 'passed', 'failed')),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    checked_events bigint,
    problem_kind text
  );
  CREATE INDEX audit_verifications_latest ON audit_verifications (state, recorded_at DESC);

  REVOKE ALL ON audit_verifications FROM carewatch_app;
  GRANT SELECT, INSERT ON audit_verifications TO carewatch_app;
  CREATE TRIGGER audit_verifications_append_only BEFORE UPDATE OR DELETE ON audit_verifications
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
  `,
  `DROP TABLE audit_verifications;`,
);
