import { z } from 'zod';

/** The Supabase project whose access tokens are accepted for linked accounts (see auth/external). */
export interface ExternalIdentityConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly jwtSecret: string | undefined;
  readonly jwksUrl: string | undefined;
  readonly timeoutMs: number;
}

export const externalIdentityEnv = {
  SUPABASE_ISSUER: z.url().optional(),
  SUPABASE_AUDIENCE: z.string().min(1).default('authenticated'),
  // HS256 with a short secret can be brute-forced offline; Supabase project secrets are longer.
  SUPABASE_JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  SUPABASE_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  SUPABASE_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
};

type ExternalIdentityEnv = z.infer<z.ZodObject<typeof externalIdentityEnv>>;

/** The external provider is off unless configured, and then it needs an issuer and a way to check signatures. */
export function externalIdentityProblems(env: NodeJS.ProcessEnv): string[] {
  const keySources = [env.SUPABASE_JWT_SECRET, env.SUPABASE_JWKS_URL].filter(Boolean).length;
  if (!env.SUPABASE_ISSUER && keySources === 0) return [];
  const problems: string[] = [];
  if (!env.SUPABASE_ISSUER) {
    problems.push('SUPABASE_ISSUER: is required when SUPABASE_JWT_SECRET or SUPABASE_JWKS_URL is set');
  }
  if (keySources === 0) {
    problems.push(
      'SUPABASE_JWKS_URL: SUPABASE_JWKS_URL or SUPABASE_JWT_SECRET is required when SUPABASE_ISSUER is set',
    );
  }
  if (env.NODE_ENV === 'production' && env.SUPABASE_JWKS_URL && !env.SUPABASE_JWKS_URL.startsWith('https:')) {
    problems.push('SUPABASE_JWKS_URL: must be https in production');
  }
  return problems;
}

export function externalIdentityConfig(e: ExternalIdentityEnv): ExternalIdentityConfig | undefined {
  if (!e.SUPABASE_ISSUER) return undefined;
  return Object.freeze({
    issuer: e.SUPABASE_ISSUER,
    audience: e.SUPABASE_AUDIENCE,
    jwtSecret: e.SUPABASE_JWT_SECRET,
    jwksUrl: e.SUPABASE_JWKS_URL,
    timeoutMs: e.SUPABASE_TIMEOUT_MS,
  });
}
