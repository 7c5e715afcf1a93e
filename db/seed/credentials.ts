import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SEED_EMAIL_DOMAIN, SEED_PASSWORD } from './accounts';
import type { SeededFactor } from './staff-factors';
import type { UserRow } from './tables';

/** One account a load test can sign in as; staff carry their TOTP secret so a scenario computes codes. */
export interface LoadTestAccount {
  readonly id: string;
  readonly email: string;
  readonly totpSecret?: string;
}

/** What `--credentials FILE` writes: every account of one seed run, by role, and their one password. */
export interface LoadTestCredentials {
  readonly runTag: string;
  readonly password: string;
  readonly patients: LoadTestAccount[];
  readonly providers: LoadTestAccount[];
  readonly admins: LoadTestAccount[];
}

/**
 * Refuses before anything is written: a file of passwords and second factors must never exist for a
 * production database, whatever the seed itself is allowed to do there.
 */
export function assertCredentialsAllowed(env: NodeJS.ProcessEnv): void {
  if (env.NODE_ENV === 'production')
    throw new Error(
      '--credentials: refused with NODE_ENV=production (load-test credentials are for test data only)',
    );
}

const syntheticSuffix = `@${SEED_EMAIL_DOMAIN}`;

/** Only accounts this seed made: a synthetic address, the synthetic password, a secret the seed drew. */
function accountOf(account: UserRow, factors: ReadonlyMap<string, SeededFactor>): LoadTestAccount {
  if (!account.email.endsWith(syntheticSuffix))
    throw new Error('--credentials: only synthetic seed accounts are ever written to a credentials file');
  const totpSecret = factors.get(account.id)?.totpSecret;
  return { id: account.id, email: account.email, ...(totpSecret ? { totpSecret } : {}) };
}

export function credentialsOf(
  runTag: string,
  accounts: Record<'patients' | 'providers' | 'admins', readonly { account: UserRow }[]>,
  factors: ReadonlyMap<string, SeededFactor>,
): LoadTestCredentials {
  const list = (people: readonly { account: UserRow }[]) => people.map((p) => accountOf(p.account, factors));
  return {
    runTag,
    password: SEED_PASSWORD,
    patients: list(accounts.patients),
    providers: list(accounts.providers),
    admins: list(accounts.admins),
  };
}

/** Readable by its owner only: it opens every account of the run. */
export async function writeCredentials(path: string, credentials: LoadTestCredentials): Promise<void> {
  // The path is the operator's --credentials flag of the seed command, never request input.
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- see above
  await mkdir(dirname(path), { recursive: true });
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- see above
  await writeFile(path, JSON.stringify(credentials), { mode: 0o600 });
}
