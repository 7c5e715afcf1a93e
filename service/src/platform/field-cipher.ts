import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for PHI fields and secrets at rest. The envelope names its key id so keys can rotate:
 * new values use the active key, old values still decrypt with the key they name.
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts).
 */
export interface FieldCipher {
  encrypt(plaintext: string): string;
  decrypt(envelope: string): string;
}

export function createFieldCipher(keys: ReadonlyMap<string, Buffer>, activeKeyId: string): FieldCipher {
  const activeKey = keys.get(activeKeyId);
  if (!activeKey) throw new Error('The active encryption key is not in the key ring');
  return {
    encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', activeKey, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', activeKeyId, iv, cipher.getAuthTag(), ciphertext]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    decrypt(envelope) {
      const [version, keyId = '', iv = '', tag = '', ciphertext = ''] = envelope.split('.');
      const key = keys.get(keyId);
      if (version !== 'v1' || !key) throw new Error('Unreadable encrypted value (unknown version or key id)');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}

/** How a JSON value is stored encrypted; bulk writers (the seed) use it to store exactly what models store. */
export function sealJson(cipher: FieldCipher, value: unknown): string | null {
  return value === null || value === undefined ? null : cipher.encrypt(JSON.stringify(value));
}

export function openJson<T>(cipher: FieldCipher, stored: unknown): T | null {
  return typeof stored === 'string' ? (JSON.parse(cipher.decrypt(stored)) as T) : null;
}

/** Sequelize attribute options that store a JSON value encrypted in a TEXT column. */
export function encryptedJson<T>(cipher: FieldCipher, column: string) {
  return {
    get(this: { getDataValue(key: string): unknown }): T | null {
      return openJson<T>(cipher, this.getDataValue(column));
    },
    set(this: { setDataValue(key: string, value: unknown): void }, value: T | null): void {
      this.setDataValue(column, sealJson(cipher, value));
    },
  };
}
