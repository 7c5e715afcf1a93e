import argon2 from 'argon2';
import { ARGON2_OPTIONS } from '../../service/src/auth/passwords';
import type { UserRow } from './tables';

/**
 * Every seeded account has this password, so load tests can log in as any seeded patient or provider.
 * Seeded data is synthetic and for development, test and load-test databases only.
 */
export const SEED_PASSWORD = 'carewatch-seed-password';

export const SEED_EMAIL_DOMAIN = 'seed.carewatch.test';

/** The login of the `index`-th account of a role in a run: predictable, so a load test can pick any. */
export function seedEmail(role: UserRow['role'], index: number, runTag: string): string {
  return `${role}-${index}.${runTag}@${SEED_EMAIL_DOMAIN}`;
}

/**
 * Hashed as the service hashes passwords, once per run: at about 19 ms a hash, hashing 10,000 passwords
 * one by one would take the whole time budget of the seed.
 */
export function hashSeedPassword(): Promise<string> {
  return argon2.hash(SEED_PASSWORD, ARGON2_OPTIONS);
}

export function accountRow(
  id: string,
  role: UserRow['role'],
  email: string,
  passwordHash: string,
  createdAt: Date,
): UserRow {
  return {
    id,
    email,
    password_hash: passwordHash,
    role,
    status: 'active',
    // Staff need a second factor for every clinical route: the seed enrolls them (see staff-factors.ts).
    mfa_enrolled: role !== 'patient',
    password_changed_at: createdAt,
    created_at: createdAt,
    updated_at: createdAt,
  };
}
