import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** The secrets production refuses to run without, as `NAME='value'` lines (an env file or a shell). */
export function generateProductionKeys(now = new Date()): Record<string, string> {
  const stamp = now.toISOString().slice(0, 10).replaceAll('-', '');
  const suffix = randomBytes(2).toString('hex');
  const signing = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const encryptionKeyId = `k${stamp}${suffix}`;
  return {
    JWT_SIGNING_KEYS: JSON.stringify([{ kid: `${stamp}-${suffix}`, alg: 'EdDSA', ...signing }]),
    ENCRYPTION_KEYS: `${encryptionKeyId}:${randomBytes(32).toString('base64')}`,
    ENCRYPTION_ACTIVE_KEY_ID: encryptionKeyId,
    AUDIT_CHECKPOINT_KEY: generateKeyPairSync('ed25519')
      .privateKey.export({ format: 'der', type: 'pkcs8' })
      .toString('base64'),
  };
}
