import { Secret, TOTP } from 'otpauth';

const PERIOD = 30;
const ISSUER = 'Carewatch';

const totpFor = (secret: string, label = 'account') =>
  new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: Secret.fromBase32(secret),
  });

/** A new 160-bit TOTP secret in base32, the form authenticator apps read. */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/** The otpauth:// URI an authenticator app scans (as a QR code) to enroll the secret. */
export const otpauthUri = (secret: string, label: string): string => totpFor(secret, label).toString();

/** The code for `secret` at `timestamp`; what an authenticator app shows (tests and benchmarks use it). */
export const totpCode = (secret: string, timestamp = Date.now()): string =>
  totpFor(secret).generate({ timestamp });

/**
 * The time step a code belongs to, accepting one step either side of now for clock drift, or undefined
 * when it matches none. The step is what makes a code single-use (see mfa_factors.last_used_step).
 */
export function matchingStep(secret: string, code: string, timestamp = Date.now()): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpFor(secret).validate({ token: code, timestamp, window: 1 });
  return delta === null ? undefined : TOTP.counter({ period: PERIOD, timestamp }) + delta;
}
