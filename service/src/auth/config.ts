import { availableParallelism } from 'node:os';
import { z } from 'zod';

/**
 * Development-only signing key (Ed25519, private). It lets a fresh clone issue tokens; the service refuses
 * to start in production while it is among JWT_SIGNING_KEYS, since anyone can read it here.
 */
export const DEVELOPMENT_JWT_SIGNING_KEY = {
  kid: 'dev-2026-01',
  alg: 'EdDSA',
  kty: 'OKP',
  crv: 'Ed25519',
  // eslint-disable-next-line no-secrets/no-secrets -- a development-only key, public on purpose and refused in production
  d: 'EHqD9IXl5kjRolp3_4ZY8iNCH4FJ25Ro-9jlgqa3_sk',
  // eslint-disable-next-line no-secrets/no-secrets -- a development-only key, public on purpose and refused in production
  x: 'GPQ5kzL-HzxWxj4mz_CUZWIxsha9OunmHqcI6lCl8uY',
} as const;

const seconds = z.coerce.number().int().positive();
const count = z.coerce.number().int().positive();

const signingKey = z.looseObject({
  kid: z.string().min(1),
  kty: z.enum(['OKP', 'EC']),
  crv: z.enum(['Ed25519', 'P-256']),
  d: z.string().min(1),
  x: z.string().min(1),
  y: z.string().optional(),
});
export type SigningJwk = z.infer<typeof signingKey>;

const signingKeys = z
  .string()
  .transform((text, issue) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      issue.addIssue({ code: 'custom', message: 'must be a JSON array of private JWKs' });
      return z.NEVER;
    }
  })
  .pipe(z.array(signingKey).min(1, 'needs at least one key (the first one signs)'))
  .refine((keys) => new Set(keys.map((key) => key.kid)).size === keys.length, 'every key needs its own kid');

/** The environment variables of identity and access; merged into the service's one config schema. */
export const authEnvShape = {
  JWT_SIGNING_KEYS: signingKeys.default([DEVELOPMENT_JWT_SIGNING_KEY]),
  JWT_ISSUER: z.string().min(1).default('https://carewatch.local'),
  JWT_AUDIENCE: z.string().min(1).default('carewatch-api'),
  ACCESS_TOKEN_TTL: seconds.default(900),
  SESSION_IDLE_TIMEOUT: seconds.default(900),
  SESSION_ABSOLUTE_TIMEOUT: seconds.default(43_200),
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).default(10),
  MFA_CHALLENGE_TTL: seconds.default(300),
  PASSWORD_RESET_TTL: seconds.default(1800),
  INVITATION_TTL: seconds.default(72 * 3600),
  // One core is left to the event loop and everything else the service answers during a login storm
  // (measured: other endpoints' p99 stayed within 2x of quiet with one hash in flight on two cores, 3x with two).
  PASSWORD_HASH_CONCURRENCY: count.default(Math.max(1, availableParallelism() - 1)),
  // A login that would wait longer than this for a hash is refused at once (503, Retry-After): past it the
  // queue only grows, every login times out and none succeeds (measured with npm run load -- day).
  PASSWORD_HASH_MAX_WAIT_MS: count.default(2000),
  RATE_LIMIT_ADDRESS_POINTS: count.default(30),
  RATE_LIMIT_ADDRESS_WINDOW: seconds.default(60),
  RATE_LIMIT_ACCOUNT_FAILURES: count.default(5),
  RATE_LIMIT_ACCOUNT_WINDOW: seconds.default(900),
  RATE_LIMIT_LOCKOUT_SECONDS: seconds.default(60),
  RATE_LIMIT_LOCKOUT_MAX_SECONDS: seconds.default(3600),
};

type AuthEnv = { [K in keyof typeof authEnvShape]: z.infer<(typeof authEnvShape)[K]> };

export interface AuthConfig {
  readonly signingKeys: readonly SigningJwk[];
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  readonly sessionIdleTimeoutSeconds: number;
  readonly sessionAbsoluteTimeoutSeconds: number;
  readonly refreshReuseGraceSeconds: number;
  readonly mfaChallengeTtlSeconds: number;
  readonly passwordResetTtlSeconds: number;
  readonly invitationTtlSeconds: number;
  readonly passwordHashConcurrency: number;
  /** Longer expected waits for a hash are refused with 503 instead of queued. */
  readonly passwordHashMaxWaitMs: number;
  readonly rateLimits: {
    readonly addressPoints: number;
    readonly addressWindowSeconds: number;
    readonly accountFailures: number;
    readonly accountWindowSeconds: number;
    readonly lockoutSeconds: number;
    readonly lockoutMaxSeconds: number;
  };
}

/** Production refuses the committed development key (by kid or by key material). */
export function authProductionProblems(env: AuthEnv): { path: string; message: string }[] {
  const usesDevKey = env.JWT_SIGNING_KEYS.some(
    (key) => key.kid === DEVELOPMENT_JWT_SIGNING_KEY.kid || key.d === DEVELOPMENT_JWT_SIGNING_KEY.d,
  );
  return usesDevKey
    ? [{ path: 'JWT_SIGNING_KEYS', message: 'the development signing key must not be used in production' }]
    : [];
}

export function authConfigFrom(env: AuthEnv): AuthConfig {
  return Object.freeze({
    signingKeys: Object.freeze(env.JWT_SIGNING_KEYS),
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL,
    sessionIdleTimeoutSeconds: env.SESSION_IDLE_TIMEOUT,
    sessionAbsoluteTimeoutSeconds: env.SESSION_ABSOLUTE_TIMEOUT,
    refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
    mfaChallengeTtlSeconds: env.MFA_CHALLENGE_TTL,
    passwordResetTtlSeconds: env.PASSWORD_RESET_TTL,
    invitationTtlSeconds: env.INVITATION_TTL,
    passwordHashConcurrency: env.PASSWORD_HASH_CONCURRENCY,
    passwordHashMaxWaitMs: env.PASSWORD_HASH_MAX_WAIT_MS,
    rateLimits: Object.freeze({
      addressPoints: env.RATE_LIMIT_ADDRESS_POINTS,
      addressWindowSeconds: env.RATE_LIMIT_ADDRESS_WINDOW,
      accountFailures: env.RATE_LIMIT_ACCOUNT_FAILURES,
      accountWindowSeconds: env.RATE_LIMIT_ACCOUNT_WINDOW,
      lockoutSeconds: env.RATE_LIMIT_LOCKOUT_SECONDS,
      lockoutMaxSeconds: env.RATE_LIMIT_LOCKOUT_MAX_SECONDS,
    }),
  });
}
