import { createHash, randomBytes } from 'node:crypto';

/** An opaque secret for a bearer (refresh token, reset token, MFA challenge): 32 random bytes. */
export const newOpaqueToken = (): string => randomBytes(32).toString('base64url');

/**
 * These secrets carry 256 bits of entropy, so a fast hash is enough to keep the stored value useless to
 * whoever reads the table; passwords, which are guessable, get argon2id instead.
 */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');
