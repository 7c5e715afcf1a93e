import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * Which sequence numbers are final: no event with a number at or below it can still commit.
 *
 * Sequence numbers are taken at insert but commits land in any order, so the sealer must not seal past
 * an event still in flight (it would commit after the block that should have held it was sealed). A settle
 * delay (seal only what is older than N seconds) depends on clocks and on no transaction being slower than
 * N; this is exact instead. The insert trigger makes each transaction take its id before its sequence
 * number (migration 0006), so, reading the sequence first and the list of transactions in progress second,
 * every number handed out so far belongs to a transaction that has ended or is on that list. Once all of
 * them have ended, every number up to the one read is either committed and visible, or will never exist.
 */
export interface Watermark {
  readonly seq: bigint;
  readonly inProgress: readonly string[];
}

// Two statements, in this order: one statement would take its snapshot before reading the sequence.
export async function readWatermark(sequelize: Sequelize): Promise<Watermark> {
  const [sequence] = await sequelize.query<{ seq: string }>(
    `SELECT (CASE WHEN is_called THEN last_value ELSE last_value - 1 END)::text AS seq FROM audit_events_seq`,
    { type: QueryTypes.SELECT },
  );
  const running = await sequelize.query<{ xid: string }>(`SELECT pg_snapshot_xip(pg_current_snapshot())::text AS xid`, {
    type: QueryTypes.SELECT,
  });
  return { seq: BigInt(sequence!.seq), inProgress: running.map((row) => row.xid) };
}

export async function hasSettled(sequelize: Sequelize, watermark: Watermark): Promise<boolean> {
  if (watermark.inProgress.length === 0) return true;
  const [row] = await sequelize.query<{ running: number }>(
    `SELECT count(*)::int AS running FROM unnest($1::xid8[]) AS x WHERE pg_xact_status(x) = 'in progress'`,
    { bind: [watermark.inProgress], type: QueryTypes.SELECT },
  );
  return row!.running === 0;
}

/**
 * Keeps the oldest unsettled watermark between rounds (replacing it with every fresh one would starve
 * under steady load, where some transaction is always in flight) and answers the highest settled number.
 */
export function createSettledTracker(sequelize: Sequelize) {
  let pending: Watermark | undefined;
  return async function settledSeq(): Promise<bigint | undefined> {
    const fresh = await readWatermark(sequelize);
    if (await hasSettled(sequelize, fresh)) {
      pending = undefined;
      return fresh.seq;
    }
    if (pending && (await hasSettled(sequelize, pending))) {
      const settled = pending.seq;
      pending = fresh;
      return settled;
    }
    pending ??= fresh;
    return undefined;
  };
}
