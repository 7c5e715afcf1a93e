import type { AccessTokens } from './access-tokens';
import type { AuthContext, Authenticator } from './context';
import type { LinkedUser } from './external/linked-user';
import type { SessionStore } from './sessions';

/**
 * Seam for the external identity provider (auth/external/): given a token whose issuer is not ours, it
 * answers the linked local user as it read it, or undefined when it does not accept the token (the caller
 * gets 401).
 */
export type ExternalVerifier = (token: string) => Promise<LinkedUser | undefined>;

async function authenticateExternal(
  externalVerifier: ExternalVerifier,
  token: string,
): Promise<AuthContext | undefined> {
  const external = await externalVerifier(token);
  // Only an active account may act, as with a local token (sessions.resolve checks the same): a locked
  // account is still linked, so the verifier accepts it, and it is refused here.
  if (external?.status !== 'active') return undefined;
  return { userId: external.userId, role: external.role, sessionId: null, aal: 'aal1', stepUpAt: null };
}

export function createAuthenticator(
  tokens: AccessTokens,
  sessions: SessionStore,
  externalVerifier?: ExternalVerifier,
): Authenticator {
  return {
    authenticate(token) {
      if (!tokens.isOurs(token))
        return externalVerifier ? authenticateExternal(externalVerifier, token) : undefined;
      const claims = tokens.verify(token);
      return claims ? sessions.resolve(claims.sessionId, claims.userId) : undefined;
    },
  };
}
