import { ConfigError, loadConfig } from '../../src/config';
import { generateKeyPairSync } from 'node:crypto';

/** A signing key of the kind JWT_SIGNING_KEYS holds: a private Ed25519 JWK with a key id. */
export const newSigningKey = (kid: string) => ({
  kid,
  ...generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }),
});

/** A key of the kind AUDIT_CHECKPOINT_KEY holds: Ed25519, PKCS#8 DER, base64. */
export const newCheckpointKey = () =>
  generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');

/** The smallest environment production accepts: its own database, encryption key and signing key. */
export function productionEnv(): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://app@db.internal:5432/carewatch',
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    ENCRYPTION_ACTIVE_KEY_ID: 'k1',
    JWT_SIGNING_KEYS: JSON.stringify([newSigningKey('prod-1')]),
    AUDIT_CHECKPOINT_KEY: newCheckpointKey(),
  };
}

/** The problems loadConfig reports for `env` (none when it accepts it). */
export function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
