import type { AccessTokens } from './access-tokens';
import type { Authenticator } from './context';
import { User } from './model';
import type { SessionStore } from './sessions';

/**
 * Seam for the external identity provider (auth/external/): given a token whose issuer is not ours, it
 * answers the linked local user, or undefined when it does not accept the token (the caller gets 401).
 */
export type ExternalVerifier = (token: string) => Promise<{ userId: string } | undefined>;

export function createAuthenticator(
  tokens: AccessTokens,
  sessions: SessionStore,
  externalVerifier?: ExternalVerifier,
): Authenticator {
  return {
    async authenticate(token) {
      if (!tokens.isOurs(token)) {
        const external = externalVerifier ? await externalVerifier(token) : undefined;
        if (!external) return undefined;
        const user = await User.findOne({
          where: { id: external.userId, status: 'active' },
          attributes: ['role'],
          raw: true,
        });
        return user
          ? { userId: external.userId, role: user.role, sessionId: null, aal: 'aal1', stepUpAt: null }
          : undefined;
      }
      const claims = await tokens.verify(token);
      return claims ? sessions.resolve(claims.sessionId, claims.userId) : undefined;
    },
  };
}
