import { QueryTypes, type Sequelize } from 'sequelize';

/** The outbox topics the mail worker delivers. */
export const MAIL_TOPICS = ['auth.account_invitation', 'auth.password_reset'] as const;
export type MailTopic = (typeof MAIL_TOPICS)[number];

export interface ClaimedMessage {
  readonly id: string;
  readonly topic: MailTopic;
  readonly payload: { readonly userId: string; readonly token: string; readonly expiresAt: string };
  /** Including this one. */
  readonly attempts: number;
}

/**
 * The outbox as a work queue shared by every instance. A claim locks due rows with SKIP LOCKED (two
 * instances never claim the same row) and leases them: their `available_at` moves past the lease, so a
 * worker that dies mid-send leaves its messages to be claimed again after it, never lost.
 */
export function mailQueue(sequelize: Sequelize) {
  const run = (sql: string, replacements: Record<string, unknown>) =>
    sequelize.query(sql, { replacements, type: QueryTypes.UPDATE });
  return {
    claim: (batch: number, leaseSeconds: number) =>
      sequelize.query<ClaimedMessage>(
        `UPDATE outbox SET attempts = attempts + 1, updated_at = now(),
           available_at = now() + make_interval(secs => :leaseSeconds)
         WHERE id IN (
           SELECT id FROM outbox
           WHERE sent_at IS NULL AND failed_at IS NULL AND available_at <= now() AND topic IN (:topics)
           ORDER BY available_at LIMIT :batch FOR UPDATE SKIP LOCKED)
         RETURNING id, topic, payload, attempts`,
        { replacements: { batch, leaseSeconds, topics: MAIL_TOPICS }, type: QueryTypes.SELECT },
      ),
    sent: (id: string) => run('UPDATE outbox SET sent_at = now(), updated_at = now() WHERE id = :id', { id }),
    retryLater: (id: string, delayMs: number, error: string) =>
      run(
        `UPDATE outbox SET available_at = now() + make_interval(secs => :delay), last_error = :error,
           updated_at = now() WHERE id = :id`,
        { id, delay: delayMs / 1000, error },
      ),
    failed: (id: string, error: string) =>
      run('UPDATE outbox SET failed_at = now(), last_error = :error, updated_at = now() WHERE id = :id', {
        id,
        error,
      }),
    recipient: async (userId: string) => {
      const [user] = await sequelize.query<{ email: string }>('SELECT email FROM users WHERE id = :userId', {
        replacements: { userId },
        type: QueryTypes.SELECT,
      });
      return user?.email;
    },
  };
}

export type MailQueue = ReturnType<typeof mailQueue>;

/** carewatch_mail_messages_pending{topic}: messages still to deliver (retries included). */
export const PENDING_MAIL_BY_TOPIC = `SELECT topic AS label, count(*)::int AS count FROM outbox
  WHERE sent_at IS NULL AND failed_at IS NULL GROUP BY topic`;
