import { createPrivateKey, createPublicKey, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SignJWT, createLocalJWKSet, decodeJwt, jwtVerify, type JWK } from 'jose';
import type { AuthConfig, SigningJwk } from './config';
import type { Aal } from './context';

export interface AccessClaims {
  readonly userId: string;
  readonly sessionId: string;
  readonly aal: Aal;
}

export interface AccessTokens {
  sign(claims: AccessClaims): Promise<string>;
  /** The claims of a token we issued, or undefined for anything else (bad signature, expired, wrong aud...). */
  verify(token: string): Promise<AccessClaims | undefined>;
  /** True when the token's (unverified) issuer is ours; a token that does not parse is treated as ours. */
  isOurs(token: string): boolean;
  /** The public half of every configured key, for /.well-known/jwks.json. */
  readonly jwks: { readonly keys: readonly JWK[] };
}

interface LoadedKey {
  readonly kid: string;
  readonly alg: 'EdDSA' | 'ES256';
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

function loadKey(jwk: SigningJwk): LoadedKey {
  const alg = jwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
  const privateKey = createPrivateKey({ key: jwk as unknown as JsonWebKey, format: 'jwk' });
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  return { kid: jwk.kid, alg, privateKey, publicJwk: { ...publicJwk, kid: jwk.kid, alg, use: 'sig' } };
}

/**
 * Short-lived access tokens. Rotation: JWT_SIGNING_KEYS lists the newest key first; it signs, and every
 * listed key verifies, so tokens signed by the previous key stay valid until they expire.
 */
export function createAccessTokens(config: AuthConfig): AccessTokens {
  const keys = config.signingKeys.map(loadKey);
  const signer = keys[0];
  if (!signer) throw new Error('JWT_SIGNING_KEYS holds no key');
  const jwks = { keys: keys.map((key) => key.publicJwk) };
  const keySet = createLocalJWKSet({ keys: [...jwks.keys] });
  const algorithms = [...new Set(keys.map((key) => key.alg))];

  return {
    jwks,
    sign: (claims) =>
      new SignJWT({ sid: claims.sessionId, aal: claims.aal })
        .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'at+jwt' })
        .setIssuer(config.issuer)
        .setAudience(config.audience)
        .setSubject(claims.userId)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${config.accessTokenTtlSeconds}s`)
        .sign(signer.privateKey),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keySet, {
          issuer: config.issuer,
          audience: config.audience,
          algorithms,
          typ: 'at+jwt',
          requiredClaims: ['sub', 'sid', 'aal', 'exp', 'iat'],
        });
        if (typeof payload.sid !== 'string' || (payload.aal !== 'aal1' && payload.aal !== 'aal2'))
          return undefined;
        return { userId: payload.sub!, sessionId: payload.sid, aal: payload.aal };
      } catch {
        return undefined;
      }
    },
    isOurs(token) {
      try {
        return decodeJwt(token).iss === config.issuer;
      } catch {
        return true;
      }
    },
  };
}
