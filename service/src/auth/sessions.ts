import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { AuthConfig } from './config';
import type { Aal, AuthContext, RequestOrigin } from './context';
import { Session, type Role } from './model';
import type { CachedSession, SessionCache } from './session-cache';
import { UUID_SHAPE } from '../platform/uuid';

export type RevokeReason =
  'logout' | 'logout_all' | 'refresh_reuse' | 'password_reset' | 'account_disabled' | 'admin';

/** How often at most a session's last_seen_at is written: once per cache fill. */
const TOUCH_INTERVAL_SECONDS = 60;

interface SessionRow {
  user_id: string;
  role: Role;
  aal: Aal;
  step_up_at: Date | null;
  expires_at: Date;
  last_seen_at: Date;
}

export interface SessionStore {
  create(userId: string, aal: Aal, origin: RequestOrigin, transaction: Transaction): Promise<string>;
  /**
   * The live session behind an access token, or undefined when revoked, expired, idle or not the user's;
   * at once when this instance keeps the session in memory.
   */
  resolve(sessionId: string, userId: string): AuthContext | undefined | Promise<AuthContext | undefined>;
  /** Records a fresh proof of identity (step-up, MFA); `aal2` raises the session's assurance level. */
  reauthenticated(sessionId: string, aal?: Aal): Promise<Date>;
  touch(sessionId: string, transaction: Transaction): Promise<void>;
  revoke(sessionId: string, reason: RevokeReason, transaction?: Transaction): Promise<boolean>;
  revokeAllForUser(userId: string, reason: RevokeReason, transaction?: Transaction): Promise<number>;
  countActive(): Promise<number>;
  /** Drops cached copies of sessions changed by other means than this store, on every instance. */
  forget(sessionIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * PostgreSQL holds the truth; the cache keeps authenticated requests off the database. An entry lives at
 * most a minute (or the idle timeout if shorter), and refilling it is what writes last_seen_at, so
 * activity costs one write a minute per session. Every change to a session drops its entry, after commit.
 */
export function createSessionStore(
  sequelize: Sequelize,
  cache: SessionCache,
  config: AuthConfig,
): SessionStore {
  const idle = config.sessionIdleTimeoutSeconds;
  const cacheTtl = Math.min(TOUCH_INTERVAL_SECONDS, idle);
  const forget = (sessionIds: readonly string[], transaction?: Transaction) => {
    const drop = () => cache.forget(sessionIds);
    if (transaction) {
      transaction.afterCommit(drop);
      return Promise.resolve();
    }
    return drop();
  };

  const loadAndTouch = async (sessionId: string): Promise<CachedSession | undefined> => {
    const [row] = await sequelize.query<SessionRow>(
      `UPDATE sessions s SET last_seen_at = now()
         FROM users u
        WHERE s.id = $1 AND u.id = s.user_id AND u.status = 'active'
          AND s.revoked_at IS NULL AND s.expires_at > now()
          AND s.last_seen_at > now() - make_interval(secs => $2)
       RETURNING s.user_id, u.role, s.aal, s.step_up_at, s.expires_at, s.last_seen_at`,
      { bind: [sessionId, idle], type: QueryTypes.SELECT },
    );
    if (!row) return undefined;
    return {
      userId: row.user_id,
      role: row.role,
      aal: row.aal,
      stepUpAt: row.step_up_at ? row.step_up_at.getTime() : null,
      expiresAt: row.expires_at.getTime(),
      lastSeenAt: row.last_seen_at.getTime(),
    };
  };

  /** The caller as its session says, unless the session has ended meanwhile or is someone else's. */
  const liveContext = (
    session: CachedSession | undefined,
    sessionId: string,
    userId: string,
  ): AuthContext | undefined => {
    const now = Date.now();
    if (!session || session.userId !== userId) return undefined;
    if (session.expiresAt <= now || now - session.lastSeenAt > idle * 1000) return undefined;
    return {
      userId,
      role: session.role,
      sessionId,
      aal: session.aal,
      stepUpAt: session.stepUpAt === null ? null : new Date(session.stepUpAt),
    };
  };

  const revokeWhere = async (where: string, bind: unknown[], transaction?: Transaction) => {
    const rows = await sequelize.query<{ id: string }>(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $2, updated_at = now()
        WHERE ${where} AND revoked_at IS NULL RETURNING id`,
      { bind, type: QueryTypes.SELECT, transaction },
    );
    await forget(
      rows.map((row) => row.id),
      transaction,
    );
    return rows.length;
  };

  return {
    async create(userId, aal, origin, transaction) {
      const now = new Date();
      const session = await Session.create(
        {
          userId,
          aal,
          authMethod: 'password',
          stepUpAt: now,
          ip: origin.ip,
          userAgent: origin.userAgent,
          lastSeenAt: now,
          expiresAt: new Date(now.getTime() + config.sessionAbsoluteTimeoutSeconds * 1000),
          revokedAt: null,
          revokedReason: null,
        },
        { transaction },
      );
      return session.id;
    },
    resolve(sessionId, userId) {
      if (!UUID_SHAPE.test(sessionId)) return undefined;
      const kept = cache.kept(sessionId);
      if (kept) return liveContext(kept, sessionId, userId);
      return cache
        .read(sessionId, () => loadAndTouch(sessionId), cacheTtl)
        .then((session) => liveContext(session, sessionId, userId));
    },
    async reauthenticated(sessionId, aal) {
      const now = new Date();
      await Session.update({ stepUpAt: now, ...(aal ? { aal } : {}) }, { where: { id: sessionId } });
      await forget([sessionId]);
      return now;
    },
    async touch(sessionId, transaction) {
      await Session.update({ lastSeenAt: new Date() }, { where: { id: sessionId }, transaction });
      await forget([sessionId], transaction);
    },
    revoke: async (sessionId, reason, transaction) =>
      (await revokeWhere('id = $1', [sessionId, reason], transaction)) > 0,
    revokeAllForUser: (userId, reason, transaction) =>
      revokeWhere('user_id = $1', [userId, reason], transaction),
    async countActive() {
      const [row] = await sequelize.query<{ count: string }>(
        `SELECT count(*) AS count FROM sessions
          WHERE revoked_at IS NULL AND expires_at > now() AND last_seen_at > now() - make_interval(secs => $1)`,
        { bind: [idle], type: QueryTypes.SELECT },
      );
      return Number(row?.count ?? 0);
    },
    forget: (sessionIds) => cache.forget(sessionIds),
    close: () => cache.close(),
  };
}
