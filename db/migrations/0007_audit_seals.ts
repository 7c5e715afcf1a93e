import { sqlMigration } from '../migration';

export default sqlMigration(
  '0007_audit_seals',
  `
  -- The hash chain over the audit trail, in blocks: seal_hash = sha256(previous_seal_hash || the content
  -- hashes of the block's events in sequence order). A block never spans two monthly partitions, so
  -- retention removes whole blocks. The sequence numbers and hashes are kept so that a verifier can name
  -- the event that was removed, inserted, changed or moved, not only the block.
  CREATE TABLE audit_seals (
    block_number bigint PRIMARY KEY CHECK (block_number > 0),
    first_seq bigint NOT NULL,
    last_seq bigint NOT NULL,
    event_count integer NOT NULL CHECK (event_count > 0),
    partition_name text NOT NULL,
    event_seqs bigint[] NOT NULL,
    event_hashes text[] NOT NULL,
    previous_seal_hash text NOT NULL CHECK (previous_seal_hash ~ '^[0-9a-f]{64}$'),
    seal_hash text NOT NULL CHECK (seal_hash ~ '^[0-9a-f]{64}$'),
    sealed_at timestamptz NOT NULL DEFAULT now(),
    CHECK (first_seq <= last_seq),
    CHECK (cardinality(event_seqs) = event_count AND cardinality(event_hashes) = event_count)
  );
  REVOKE ALL ON audit_seals FROM carewatch_app;
  GRANT SELECT, INSERT ON audit_seals TO carewatch_app;
  CREATE TRIGGER audit_seals_append_only BEFORE UPDATE OR DELETE ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
  CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

  -- The only way audit events leave the database: whole monthly partitions whose every event is older
  -- than the retention period (never less than six years), each removal itself recorded as an event.
  CREATE FUNCTION audit_drop_expired_partitions(retention_years integer) RETURNS text[]
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  DECLARE
    cutoff timestamptz := now() - make_interval(years => retention_years);
    part record;
    dropped text[] := '{}';
  BEGIN
    IF retention_years IS NULL OR retention_years < 6 THEN
      RAISE EXCEPTION 'audit retention must be at least 6 years' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR part IN
      SELECT c.relname,
             (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS upper_bound
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'audit_events'::regclass
      ORDER BY 2
    LOOP
      CONTINUE WHEN part.upper_bound > cutoff;
      EXECUTE format('DROP TABLE %I', part.relname);
      INSERT INTO audit_events (actor_role, action, event_type, resource_type, outcome, details)
      VALUES ('system', 'security', 'audit.retention', 'AuditPartition', 'success',
              jsonb_build_object('partition', part.relname, 'retentionYears', retention_years));
      dropped := dropped || part.relname::text;
    END LOOP;
    RETURN dropped;
  END $$;
  REVOKE ALL ON FUNCTION audit_drop_expired_partitions(integer) FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION audit_drop_expired_partitions(integer) TO carewatch_retention;
  `,
  `
  DROP FUNCTION audit_drop_expired_partitions(integer);
  DROP TABLE audit_seals;
  `,
);
