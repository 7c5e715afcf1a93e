import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { AuthConfig } from './config';
import type { Aal } from './context';
import { newOpaqueToken, sha256 } from './hashing';
import { RefreshToken } from './model';
import type { SessionStore } from './sessions';

export type Rotation =
  | {
      readonly kind: 'rotated' | 'grace';
      readonly userId: string;
      readonly sessionId: string;
      readonly aal: Aal;
      readonly token: string;
    }
  | { readonly kind: 'reuse'; readonly userId: string; readonly sessionId: string }
  | { readonly kind: 'invalid' };

interface PresentedRow {
  id: string;
  session_id: string;
  user_id: string;
  aal: Aal;
  rotated: boolean;
  within_grace: boolean;
  session_live: boolean;
}

export interface RefreshTokens {
  issue(sessionId: string, transaction: Transaction): Promise<string>;
  rotate(token: string): Promise<Rotation>;
}

/**
 * Opaque refresh tokens, one family per session, rotated on every use. Presenting a token that was
 * already rotated means two parties hold it: the whole session is revoked, unless the first rotation is
 * only seconds old (two tabs refreshing together), when the late caller gets a sibling token.
 */
export function createRefreshTokens(
  sequelize: Sequelize,
  sessions: SessionStore,
  config: AuthConfig,
): RefreshTokens {
  const insert = async (sessionId: string, transaction: Transaction) => {
    const token = newOpaqueToken();
    const row = await RefreshToken.create(
      { sessionId, tokenHash: sha256(token), rotatedAt: null, replacedById: null },
      { transaction },
    );
    return { token, id: row.id };
  };

  const rotateIn = async (presented: string, transaction: Transaction): Promise<Rotation> => {
    // FOR UPDATE serialises two requests carrying the same token: the second sees the first's rotation.
    const [row] = await sequelize.query<PresentedRow>(
      `SELECT rt.id, rt.session_id, s.user_id, s.aal,
              rt.rotated_at IS NOT NULL AS rotated,
              rt.rotated_at > now() - make_interval(secs => $2) AS within_grace,
              (s.revoked_at IS NULL AND s.expires_at > now()
                AND s.last_seen_at > now() - make_interval(secs => $3)) AS session_live
         FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id
        WHERE rt.token_hash = $1
          FOR UPDATE OF rt`,
      {
        bind: [sha256(presented), config.refreshReuseGraceSeconds, config.sessionIdleTimeoutSeconds],
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (!row || !row.session_live) return { kind: 'invalid' };
    const base = { userId: row.user_id, sessionId: row.session_id };
    if (row.rotated && !row.within_grace) {
      await sessions.revoke(row.session_id, 'refresh_reuse', transaction);
      return { kind: 'reuse', ...base };
    }
    const { token, id } = await insert(row.session_id, transaction);
    if (!row.rotated)
      await RefreshToken.update(
        { rotatedAt: new Date(), replacedById: id },
        { where: { id: row.id }, transaction },
      );
    await sessions.touch(row.session_id, transaction);
    return { kind: row.rotated ? 'grace' : 'rotated', ...base, aal: row.aal, token };
  };

  return {
    issue: async (sessionId, transaction) => (await insert(sessionId, transaction)).token,
    rotate: (token) => sequelize.transaction((transaction) => rotateIn(token, transaction)),
  };
}
