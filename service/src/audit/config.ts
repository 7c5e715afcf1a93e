import { z } from 'zod';

/** Ed25519 private key (PKCS#8 DER, base64) that signs audit checkpoints in development only. */
export const DEVELOPMENT_AUDIT_CHECKPOINT_KEY =
  // eslint-disable-next-line no-secrets/no-secrets -- a development-only key, public on purpose and refused in production
  'MC4CAQAwBQYDK2VwBCIEIHhpOewn4+RLxW16XGk/qKkmi5u5LDDCYu0eqPTfdUUr';

/** HIPAA asks for six years of audit records; a shorter period is a configuration error, not a choice. */
export const MINIMUM_AUDIT_RETENTION_YEARS = 6;

export interface AuditConfig {
  readonly sealIntervalMs: number;
  readonly retentionYears: number;
  readonly checkpointKey: string;
}

export const auditEnv = {
  AUDIT_SEAL_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  AUDIT_RETENTION_YEARS: z.coerce
    .number()
    .int()
    .min(MINIMUM_AUDIT_RETENTION_YEARS)
    .default(MINIMUM_AUDIT_RETENTION_YEARS),
  AUDIT_CHECKPOINT_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/=]+$/, 'an Ed25519 private key, PKCS#8 DER in base64')
    .default(DEVELOPMENT_AUDIT_CHECKPOINT_KEY),
};

type AuditEnv = z.infer<z.ZodObject<typeof auditEnv>>;

export function auditProductionProblems(env: NodeJS.ProcessEnv): string[] {
  const key = env.AUDIT_CHECKPOINT_KEY ?? DEVELOPMENT_AUDIT_CHECKPOINT_KEY;
  return key === DEVELOPMENT_AUDIT_CHECKPOINT_KEY
    ? ['AUDIT_CHECKPOINT_KEY: the development key must not be used in production']
    : [];
}

export function auditConfigFrom(e: AuditEnv): AuditConfig {
  return Object.freeze({
    sealIntervalMs: e.AUDIT_SEAL_INTERVAL_MS,
    retentionYears: e.AUDIT_RETENTION_YEARS,
    checkpointKey: e.AUDIT_CHECKPOINT_KEY,
  });
}
