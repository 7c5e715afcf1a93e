import { sqlMigration } from '../migration';

/**
 * The state between a correct password and a correct second factor, in PostgreSQL rather than Redis: an
 * MFA login then works on every instance and while Redis is unreachable, and a challenge is spent by one
 * DELETE, so it is used once however many requests present it. Only the token's hash is kept. Spent
 * challenges are deleted; expired ones are deleted by the next challenge issued (hence the index).
 * The auth model MfaChallenge maps it.
 */
export default sqlMigration(
  '0016_mfa_challenges',
  `
  CREATE TABLE mfa_challenges (
    token_hash text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX mfa_challenges_expiry ON mfa_challenges (expires_at);
  CREATE INDEX mfa_challenges_user ON mfa_challenges (user_id);
  `,
  `DROP TABLE mfa_challenges;`,
);
