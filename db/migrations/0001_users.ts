import { sqlMigration } from '../migration';

export default sqlMigration(
  '0001_users',
  `
  CREATE EXTENSION IF NOT EXISTS pgcrypto;

  CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    password_hash text,
    role text NOT NULL CHECK (role IN ('patient', 'provider', 'admin')),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'locked', 'disabled')),
    failed_login_count integer NOT NULL DEFAULT 0 CHECK (failed_login_count >= 0),
    locked_until timestamptz,
    mfa_enrolled boolean NOT NULL DEFAULT false,
    external_subject text,
    password_changed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  -- Emails are stored lower-cased; the functional index keeps them unique even if a writer forgets.
  CREATE UNIQUE INDEX users_email_unique ON users (lower(email));
  CREATE UNIQUE INDEX users_external_subject_unique ON users (external_subject) WHERE external_subject IS NOT NULL;
  CREATE INDEX users_role_status ON users (role, status);
  `,
  `DROP TABLE users;`,
);
