import { sqlMigration } from '../migration';

export default sqlMigration(
  '0005_audit_events',
  `
  -- The HIPAA audit trail. It holds ids and codes only, never PHI, and it has no foreign keys on purpose:
  -- the trail must outlive the accounts and records it speaks of. Partitioned by month so that retention
  -- drops whole partitions instead of deleting rows.
  CREATE SEQUENCE audit_events_seq AS bigint;

  CREATE TABLE audit_events (
    seq bigint NOT NULL DEFAULT nextval('audit_events_seq'),
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_user_id uuid,
    actor_role text NOT NULL CHECK (actor_role IN ('patient', 'provider', 'admin', 'anonymous', 'system')),
    action text NOT NULL
      CHECK (action IN ('read', 'list', 'create', 'update', 'delete', 'export', 'break_glass', 'security')),
    event_type text NOT NULL CHECK (event_type ~ '^[a-z_.]+$'),
    resource_type text NOT NULL CHECK (resource_type ~ '^[A-Za-z]+$'),
    resource_ids text[] NOT NULL DEFAULT '{}',
    patient_ids uuid[] NOT NULL DEFAULT '{}',
    outcome text NOT NULL CHECK (outcome IN ('success', 'denied', 'error')),
    request_id text,
    trace_id text,
    source_ip text,
    user_agent text,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (occurred_at, seq)
  ) PARTITION BY RANGE (occurred_at);
  ALTER SEQUENCE audit_events_seq OWNED BY audit_events.seq;

  CREATE INDEX audit_events_seq_idx ON audit_events (seq);
  CREATE INDEX audit_events_patients ON audit_events USING gin (patient_ids);
  CREATE INDEX audit_events_actor ON audit_events (actor_user_id, occurred_at);
  CREATE INDEX audit_events_action ON audit_events (action, occurred_at);

  -- Creates the monthly partitions from the month of from_date through months_ahead months later.
  CREATE FUNCTION audit_ensure_partitions(from_date date, months_ahead integer) RETURNS integer
  LANGUAGE plpgsql AS $$
  DECLARE
    month_start date := date_trunc('month', from_date)::date;
    created integer := 0;
    partition_name text;
  BEGIN
    FOR i IN 0..months_ahead LOOP
      partition_name := format('audit_events_%s', to_char(month_start, 'YYYY_MM'));
      IF to_regclass(partition_name) IS NULL THEN
        EXECUTE format(
          'CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
          partition_name, month_start, (month_start + interval '1 month')::date);
        created := created + 1;
      END IF;
      month_start := (month_start + interval '1 month')::date;
    END LOOP;
    RETURN created;
  END;
  $$;

  SELECT audit_ensure_partitions((now() - interval '1 month')::date, 4);
  `,
  `DROP FUNCTION audit_ensure_partitions(date, integer); DROP TABLE audit_events;`,
);
