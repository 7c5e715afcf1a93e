import { sqlMigration } from '../migration';

export default sqlMigration(
  '0004_identity',
  `
  -- Credentials and sessions belong to their account and go with it.
  CREATE TABLE sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    aal text NOT NULL DEFAULT 'aal1' CHECK (aal IN ('aal1', 'aal2')),
    auth_method text NOT NULL CHECK (auth_method IN ('password', 'external')),
    step_up_at timestamptz,
    ip text,
    user_agent text,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoked_reason text CHECK (revoked_reason IN
      ('logout', 'logout_all', 'refresh_reuse', 'password_reset', 'account_disabled', 'idle_timeout', 'admin')),
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX sessions_user_active ON sessions (user_id) WHERE revoked_at IS NULL;

  -- Each session is one refresh-token family; every rotation adds a row and points the old one at it.
  CREATE TABLE refresh_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    rotated_at timestamptz,
    replaced_by_id uuid REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

  CREATE TABLE mfa_factors (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind text NOT NULL DEFAULT 'totp' CHECK (kind IN ('totp')),
    secret_ciphertext text NOT NULL,
    confirmed_at timestamptz,
    last_used_step bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE UNIQUE INDEX mfa_factors_user_kind ON mfa_factors (user_id, kind);

  CREATE TABLE recovery_codes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash text NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX recovery_codes_user ON recovery_codes (user_id) WHERE used_at IS NULL;

  CREATE TABLE password_resets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX password_resets_user ON password_resets (user_id);

  CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    topic text NOT NULL CHECK (topic ~ '^[a-z_.]+$'),
    payload jsonb NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    available_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX outbox_pending ON outbox (available_at) WHERE sent_at IS NULL;
  `,
  `DROP TABLE outbox; DROP TABLE password_resets; DROP TABLE recovery_codes; DROP TABLE mfa_factors;
   DROP TABLE refresh_tokens; DROP TABLE sessions;`,
);
