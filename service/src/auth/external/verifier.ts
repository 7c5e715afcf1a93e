import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { ExternalIdentityConfig } from './config';
import {
  createJwksSource,
  DEFAULT_JWKS_TUNING,
  type JwksSourceDependencies,
  type JwksTuning,
} from './jwks-source';
import type { FindLinkedUser, LinkedUser } from './linked-user';

/**
 * Verifies access tokens issued by a Supabase project and maps them to the local account they are
 * linked to. The caller routes here only tokens whose `iss` is the Supabase issuer, so local login
 * never depends on the provider.
 *
 * Each algorithm has exactly one key source: HS256 the project's JWT secret, ES256 and RS256 the
 * project's JWKS. A token whose algorithm has no configured source is refused before any key is looked
 * at (no `alg: none`, no HS256 token "signed" with a public key from the JWKS).
 */
export interface ExternalIdentity extends LinkedUser {
  /**
   * The Supabase user id (`sub`): the only claim kept. The token's email and other contact claims are
   * PHI-adjacent and nothing needs them, so they stay out of objects that a log line could pick up.
   */
  readonly subject: string;
}

export interface ExternalVerifier {
  /**
   * The identity of a valid token for a linked account; undefined for any invalid token or unlinked
   * subject. Throws a 503 AppError only when the provider's keys are needed and cannot be fetched.
   */
  verify(token: string): Promise<ExternalIdentity | undefined>;
  close(): void;
}

export interface ExternalVerifierOptions extends ExternalIdentityConfig {
  readonly jwks?: Partial<JwksTuning>;
}

export interface ExternalVerifierDependencies extends JwksSourceDependencies {
  readonly findLinkedUser: FindLinkedUser;
}

const ASYMMETRIC_ALGORITHMS = new Set(['ES256', 'RS256']);
/** Tolerated clock difference with the provider when checking `exp`, `nbf` and `iat`. */
const CLOCK_TOLERANCE_SECONDS = 5;

function headerAlgorithm(token: string): string | undefined {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}

export function createExternalVerifier(
  options: ExternalVerifierOptions,
  deps: ExternalVerifierDependencies,
): ExternalVerifier {
  const secret = options.jwtSecret === undefined ? undefined : new TextEncoder().encode(options.jwtSecret);
  const jwks = options.jwksUrl
    ? createJwksSource(
        {
          url: options.jwksUrl,
          timeoutMs: options.timeoutMs,
          tuning: { ...DEFAULT_JWKS_TUNING, ...options.jwks },
        },
        deps,
      )
    : undefined;
  const getJwksKey: JWTVerifyGetKey | undefined = jwks && ((header, token) => jwks.getKey(header, token));

  const keyFor = (algorithm: string): Uint8Array | JWTVerifyGetKey | undefined => {
    if (algorithm === 'HS256') return secret;
    return ASYMMETRIC_ALGORITHMS.has(algorithm) ? getJwksKey : undefined;
  };

  const refuse = (reason: string): undefined => {
    // The reason is a bounded code (never the token, subject or email).
    deps.logger.debug('external token refused', { reason });
    return undefined;
  };

  /** The token's claims once its signature and claims are checked, or why it was refused. */
  async function check(token: string): Promise<{ claims: JWTPayload } | { refused: string }> {
    const algorithm = headerAlgorithm(token);
    if (algorithm === undefined) return { refused: 'malformed' };
    const key = keyFor(algorithm);
    if (key === undefined) return { refused: 'algorithm_not_accepted' };
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [algorithm],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      return { claims: payload };
    } catch (error) {
      // jose's errors say why the token is bad; anything else (the provider down) is not the token's fault.
      if (error instanceof errors.JOSEError) return { refused: error.code };
      throw error;
    }
  }

  return {
    async verify(token) {
      const checked = await check(token);
      if ('refused' in checked) return refuse(checked.refused);
      const { claims } = checked;
      if (typeof claims.sub !== 'string' || claims.sub === '') return refuse('subject_missing');
      const user = await deps.findLinkedUser(claims.sub);
      if (user === undefined) return refuse('not_linked');
      return { subject: claims.sub, ...user };
    },
    close: () => jwks?.close(),
  };
}
