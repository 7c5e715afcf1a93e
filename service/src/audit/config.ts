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
  /** How often the schedule verifies the whole chain (one instance per run). */
  readonly verifyIntervalMs: number;
  /** How often each instance looks for a due run and re-exports the latest result. */
  readonly verifyCheckMs: number;
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
  AUDIT_VERIFY_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(24 * 60 * 60 * 1000),
  AUDIT_VERIFY_CHECK_MS: z.coerce.number().int().min(100).default(60_000),
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
    verifyIntervalMs: e.AUDIT_VERIFY_INTERVAL_MS,
    verifyCheckMs: e.AUDIT_VERIFY_CHECK_MS,
  });
}
