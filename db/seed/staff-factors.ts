import { accountRow, seedEmail } from './accounts';
import type { SeedContext } from './context';
import { DAY_MS } from './random';
import type { MfaFactorRow, UserRow } from './tables';

/** RFC 4648 base32, the alphabet authenticator apps read TOTP secrets in. */
// eslint-disable-next-line no-secrets/no-secrets -- the public base32 alphabet, not a secret
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** 32 base32 characters: the 160-bit secret RFC 4226 recommends, as the service's own enrollment makes. */
const SECRET_LENGTH = 32;

export interface SeededFactor {
  /** The plaintext secret, kept only for the load-test credentials file; the row holds it encrypted. */
  readonly totpSecret: string;
  readonly row: MfaFactorRow;
}

export interface SeededAdmin {
  readonly account: UserRow;
}

/**
 * Admin accounts (no profile table), created before the history starts. Drawn after everything else, so
 * adding admins leaves every patient, provider and consultation of a seed exactly as it was.
 */
export function generateAdmins(context: SeedContext): SeededAdmin[] {
  const { options, random, passwordHash } = context;
  const createdAt = new Date(options.end.getTime() - (options.days + 1) * DAY_MS);
  return Array.from({ length: options.admins }, (_, index) => ({
    account: accountRow(
      random.ids.string.uuid(),
      'admin',
      seedEmail('admin', index, options.runTag),
      passwordHash,
      createdAt,
    ),
  }));
}

/**
 * A confirmed TOTP factor per staff account, its secret encrypted as the service stores it. Secrets come
 * from the run's identity source (seed and run tag), after every other draw, so a seed stays reproducible
 * and two runs never share a secret.
 */
export function generateStaffFactors(
  context: SeedContext,
  staff: readonly { account: UserRow }[],
): Map<string, SeededFactor> {
  const { ids } = context.random;
  return new Map(
    staff.map(({ account }) => {
      const totpSecret = ids.string.fromCharacters(BASE32, SECRET_LENGTH);
      const row: MfaFactorRow = {
        id: ids.string.uuid(),
        user_id: account.id,
        kind: 'totp',
        secret_ciphertext: context.cipher.encrypt(totpSecret),
        confirmed_at: account.created_at,
        created_at: account.created_at,
        updated_at: account.created_at,
      };
      return [account.id, { totpSecret, row }];
    }),
  );
}
