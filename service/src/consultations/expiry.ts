import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Metrics } from '../observability/metrics';

export interface ExpiryDeps {
  readonly sequelize: Sequelize;
  readonly metrics: Metrics;
  /** Told about a failed sweep; the sweeper keeps running. */
  readonly onError: (error: unknown) => void;
}

export interface ExpiredRequest {
  readonly id: string;
  readonly specialty: string;
}

/** Any constant shared by every instance: it names the lock that elects this tick's sweeper. */
export const SWEEPER_LOCK_KEY = 0x5eed_c0de;

/**
 * Requests nobody accepted before their `expires_at` become `expired`. One conditional UPDATE: a request
 * accepted at the same moment is either accepted or expired, never both.
 */
export function createExpirySweeper({ sequelize, metrics, onError }: ExpiryDeps) {
  async function expireStaleRequests(now: Date, transaction?: Transaction): Promise<ExpiredRequest[]> {
    const expired = await sequelize.query<ExpiredRequest>(
      `UPDATE consultations
          SET status = 'expired', ended_at = $1, version = version + 1, updated_at = now()
        WHERE status = 'requested' AND expires_at <= $1
        RETURNING id, specialty`,
      { bind: [now], type: QueryTypes.SELECT, transaction },
    );
    for (const { specialty } of expired)
      metrics.consultations.transitions.inc({ to_status: 'expired', specialty });
    return expired;
  }

  /**
   * One tick of the sweeper: only the instance holding the advisory lock sweeps; the others skip (null).
   * The lock is transaction-scoped, so a crashed sweeper releases it with its connection.
   */
  async function sweepOnce(now = new Date()): Promise<ExpiredRequest[] | null> {
    return sequelize.transaction(async (transaction) => {
      const [lock] = await sequelize.query<{ acquired: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1) AS acquired',
        { bind: [SWEEPER_LOCK_KEY], type: QueryTypes.SELECT, transaction },
      );
      if (!lock?.acquired) return null;
      return expireStaleRequests(now, transaction);
    });
  }

  return {
    expireStaleRequests: (now: Date) => expireStaleRequests(now),
    sweepOnce,
    /** Sweeps every `intervalMs` until the returned function is called. */
    start(intervalMs: number): () => void {
      const timer = setInterval(() => sweepOnce().catch(onError), intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

export type ExpirySweeper = ReturnType<typeof createExpirySweeper>;
