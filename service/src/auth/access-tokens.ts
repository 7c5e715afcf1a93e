import {
  createPrivateKey,
  createPublicKey,
  randomUUID,
  verify as verifySignature,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { SignJWT, type JWK } from 'jose';
import type { AuthConfig, SigningJwk } from './config';
import type { Aal } from './context';

export interface AccessClaims {
  readonly userId: string;
  readonly sessionId: string;
  readonly aal: Aal;
}

export interface AccessTokens {
  sign(claims: AccessClaims): Promise<string>;
  /**
   * The claims of a token we issued, or undefined for anything else (bad signature, expired, wrong aud...).
   * Synchronous: node:crypto checks the signature without leaving the thread.
   */
  verify(token: string): AccessClaims | undefined;
  /** True when the token's (unverified) issuer is ours; a token that does not parse is treated as ours. */
  isOurs(token: string): boolean;
  /** The public half of every configured key, for /.well-known/jwks.json. */
  readonly jwks: { readonly keys: readonly JWK[] };
}

interface LoadedKey {
  readonly kid: string;
  readonly alg: 'EdDSA' | 'ES256';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: JWK;
}

function loadKey(jwk: SigningJwk): LoadedKey {
  const alg = jwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
  const privateKey = createPrivateKey({ key: jwk as unknown as JsonWebKey, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  return {
    kid: jwk.kid,
    alg,
    privateKey,
    publicKey,
    publicJwk: { ...publicJwk, kid: jwk.kid, alg, use: 'sig' },
  };
}

/** Verified tokens remembered at most (about 1 KiB each). */
const VERIFIED_TOKENS_KEPT = 10_000;

type JsonObject = Record<string, unknown>;

/** A JWS compact segment decoded as a JSON object, or undefined. */
function jsonSegment(segment: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

/** As RFC 8725 3.11 and jose compare it: case-insensitive, with or without `application/`. */
const typeOf = (typ: unknown) =>
  typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : undefined;

/**
 * The signature check of a compact JWS against the key its `kid` names, with node:crypto's one-shot
 * verify on a KeyObject made once: synchronous and several times cheaper per request than WebCrypto's
 * (jose's path), which imports and schedules on every call. Answers the payload, or undefined.
 */
function verifiedPayload(token: string, keys: ReadonlyMap<string, LoadedKey>): JsonObject | undefined {
  const [headerPart, payloadPart, signaturePart, extra] = token.split('.');
  if (extra !== undefined || !headerPart || !payloadPart || !signaturePart) return undefined;
  const header = jsonSegment(headerPart);
  const key = typeof header?.kid === 'string' ? keys.get(header.kid) : undefined;
  // No `crit` extension is understood here, so a token that carries one is refused (RFC 7515 4.1.11).
  if (!header || !key || header.alg !== key.alg || header.crit !== undefined) return undefined;
  if (typeOf(header.typ) !== 'at+jwt') return undefined;
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  const valid =
    key.alg === 'EdDSA'
      ? verifySignature(null, signed, key.publicKey, signature)
      : verifySignature('sha256', signed, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  return valid ? jsonSegment(payloadPart) : undefined;
}

const audienceMatches = (aud: unknown, audience: string) =>
  aud === audience || (Array.isArray(aud) && aud.includes(audience));

/** The registered claims checks jose's jwtVerify made: issuer, audience, expiry, not-before, issued-at. */
function claimsAccepted(payload: JsonObject, config: AuthConfig): boolean {
  const now = Math.floor(Date.now() / 1000);
  return (
    payload.iss === config.issuer &&
    audienceMatches(payload.aud, config.audience) &&
    typeof payload.exp === 'number' &&
    payload.exp > now &&
    typeof payload.iat === 'number' &&
    (payload.nbf === undefined || (typeof payload.nbf === 'number' && payload.nbf <= now)) &&
    typeof payload.sub === 'string'
  );
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
  const byKid = new Map(keys.map((key) => [key.kid, key]));
  // A client sends the same token with every request for its whole life: the outcome of checking those
  // exact bytes is kept (bounded, oldest out first), and only its expiry is checked again. The session
  // behind it is still looked up on every request, so revocation does not wait for this.
  const verified = new Map<string, AccessClaims & { readonly exp: number }>();

  const check = (token: string): (AccessClaims & { readonly exp: number }) | undefined => {
    const payload = verifiedPayload(token, byKid);
    if (!payload || !claimsAccepted(payload, config)) return undefined;
    if (typeof payload.sid !== 'string' || (payload.aal !== 'aal1' && payload.aal !== 'aal2'))
      return undefined;
    return {
      userId: payload.sub as string,
      sessionId: payload.sid,
      aal: payload.aal,
      exp: payload.exp as number,
    };
  };

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
    verify(token) {
      const remembered = verified.get(token);
      const known = remembered ?? check(token);
      if (!known || known.exp <= Math.floor(Date.now() / 1000)) {
        verified.delete(token);
        return undefined;
      }
      if (!remembered) {
        if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
        verified.set(token, known);
      }
      return known;
    },
    isOurs(token) {
      if (verified.has(token)) return true;
      const payload = jsonSegment(token.split('.', 2)[1] ?? '');
      return payload ? payload.iss === config.issuer : true;
    },
  };
}
