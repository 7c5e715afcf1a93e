import { sqlMigration } from '../migration';

/** Creates a cluster-wide group role once; several databases share one server, so it may already exist. */
const ensureRole = (role: string) => `
  DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} NOLOGIN; END IF;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; -- created concurrently by another database's migration
  END $$;`;

/**
 * The content hash of the audit row `row`, as SQL. The fields and their text forms must stay exactly those of
 * CANONICAL_FIELDS_SQL in service/src/audit/canonical.ts, which the verifier rebuilds them with.
 */
const contentHashOf = (row: string) => `encode(sha256(convert_to(audit_canonical(ARRAY[
      ${row}.seq::text, to_char(${row}.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      ${row}.actor_user_id::text, ${row}.actor_role, ${row}.action, ${row}.event_type, ${row}.resource_type,
      ${row}.resource_ids::text, ${row}.patient_ids::text, ${row}.outcome, ${row}.request_id, ${row}.trace_id,
      ${row}.source_ip, ${row}.user_agent, ${row}.details::text]), 'UTF8')), 'hex')`;

/**
 * The text that an audit event's content hash covers, built from PostgreSQL's own text forms of each
 * column so that an auditor's program can rebuild it from a plain SELECT (see audit/canonical.ts).
 * Each field is "<byte length>:<text>" ("-" for NULL), joined by "|": unambiguous whatever the values hold.
 */
const CANONICAL = `
  CREATE FUNCTION audit_canonical(fields text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT string_agg(CASE WHEN f IS NULL THEN '-' ELSE octet_length(f)::text || ':' || f END, '|' ORDER BY n)
    FROM unnest(fields) WITH ORDINALITY AS t(f, n)
  $$;

  -- Not SECURITY DEFINER and the hash inline: each costs tens of microseconds on every audited request.
  CREATE FUNCTION audit_events_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    -- The transaction takes its id BEFORE its sequence number, so the sealer can tell from the list of
    -- transactions in progress whether any sequence number it has seen handed out may still commit.
    PERFORM pg_current_xact_id();
    NEW.seq := nextval('audit_events_seq');
    NEW.content_hash := ${contentHashOf('NEW')};
    RETURN NEW;
  END $$;`;

export default sqlMigration(
  '0006_audit_integrity',
  `
  ${ensureRole('carewatch_app')}
  ${ensureRole('carewatch_retention')}

  -- The service's login user is a member of carewatch_app: ordinary rights on the application's tables,
  -- now and for tables later migrations create, but only INSERT and SELECT on the audit trail.
  GRANT USAGE ON SCHEMA public TO carewatch_app, carewatch_retention;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO carewatch_app;
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO carewatch_app;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO carewatch_app;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO carewatch_app;
  REVOKE ALL ON audit_events FROM carewatch_app;
  GRANT SELECT, INSERT ON audit_events TO carewatch_app;

  -- Sequence numbers and content hashes are assigned by the database, never taken from the client.
  ALTER TABLE audit_events ALTER COLUMN seq DROP DEFAULT;
  ALTER TABLE audit_events ADD COLUMN content_hash text CHECK (content_hash ~ '^[0-9a-f]{64}$');
  ${CANONICAL}
  UPDATE audit_events SET content_hash = ${contentHashOf('audit_events')};
  ALTER TABLE audit_events ALTER COLUMN content_hash SET NOT NULL;
  CREATE TRIGGER audit_events_assign BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_before_insert();

  -- Append-only for everyone, the owner included. Only a superuser can disable this, and the hash chain
  -- makes what it then changes visible.
  CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'audit records are append-only: % on % is refused', TG_OP, TG_TABLE_NAME
      USING ERRCODE = 'insufficient_privilege';
  END $$;
  CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
  CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

  -- Row triggers reach new partitions by themselves; statement triggers and privileges do not, so every
  -- partition gets them here, after audit_ensure_partitions created it.
  CREATE FUNCTION audit_maintain_partitions(from_date date, months_ahead integer) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  DECLARE
    created integer := audit_ensure_partitions(from_date, months_ahead);
    part record;
  BEGIN
    FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'audit_events'::regclass LOOP
      EXECUTE format('REVOKE ALL ON %I FROM carewatch_app, PUBLIC', part.relname);
      IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'audit_partition_no_truncate'
                     AND tgrelid = part.relname::regclass) THEN
        EXECUTE format('CREATE TRIGGER audit_partition_no_truncate BEFORE TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()', part.relname);
      END IF;
    END LOOP;
    RETURN created;
  END $$;
  REVOKE ALL ON FUNCTION audit_maintain_partitions(date, integer) FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION audit_maintain_partitions(date, integer) TO carewatch_app, carewatch_retention;
  SELECT audit_maintain_partitions((now() - interval '1 month')::date, 4);
  `,
  `
  DO $$ DECLARE part record; BEGIN
    FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'audit_events'::regclass LOOP
      EXECUTE format('DROP TRIGGER IF EXISTS audit_partition_no_truncate ON %I', part.relname);
    END LOOP;
  END $$;
  DROP FUNCTION audit_maintain_partitions(date, integer);
  DROP TRIGGER audit_events_no_truncate ON audit_events;
  DROP TRIGGER audit_events_append_only ON audit_events;
  DROP FUNCTION audit_refuse_change();
  DROP TRIGGER audit_events_assign ON audit_events;
  DROP FUNCTION audit_events_before_insert();
  DROP FUNCTION audit_canonical(text[]);
  ALTER TABLE audit_events DROP COLUMN content_hash;
  ALTER TABLE audit_events ALTER COLUMN seq SET DEFAULT nextval('audit_events_seq');
  -- The roles are shared by every database on the server: only this database's grants are withdrawn.
  ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM carewatch_app;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM carewatch_app;
  REVOKE ALL ON ALL TABLES IN SCHEMA public FROM carewatch_app;
  REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM carewatch_app;
  REVOKE USAGE ON SCHEMA public FROM carewatch_app, carewatch_retention;
  `,
);
