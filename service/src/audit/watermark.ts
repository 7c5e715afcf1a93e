import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * Which sequence numbers are final: no event with a number at or below it can still commit.
 *
 * Sequence numbers are taken at insert but commits land in any order, so the sealer must not seal past
 * an event still in flight (it would commit after the block that should have held it was sealed). A settle
 * delay (seal only what is older than N seconds) depends on clocks and on no transaction being slower than
 * N; this is exact instead. The insert trigger makes each transaction take its id before its sequence
 * number (migration 0006), so, reading the sequence first and then a snapshot, every number handed out so
 * far belongs to a transaction that had ended by the snapshot or may still run: one of the snapshot's
 * in-progress ids, or an id from its xmax (it does not list those) up to an id taken just after it. Once
 * all of those have ended, every number up to the one read is committed and visible, or will never exist.
 * A long transaction anywhere on the server therefore delays sealing; the lag metrics show it.
 */
export interface Watermark {
  readonly seq: bigint;
  /** Listed in-progress transaction ids of the snapshot. */
  readonly inProgress: readonly string[];
  /** Ids in [from, to) were assigned around the snapshot and may be running too. */
  readonly from: string;
  readonly to: string;
}

// Two statements, in this order: one statement would take its snapshot before reading the sequence.
export async function readWatermark(sequelize: Sequelize): Promise<Watermark> {
  const [sequence] = await sequelize.query<{ seq: string }>(
    `SELECT (CASE WHEN is_called THEN last_value ELSE last_value - 1 END)::text AS seq FROM audit_events_seq`,
    { type: QueryTypes.SELECT },
  );
  // The statement's snapshot is taken first; the id it then takes is later than any assigned before.
  const [snapshot] = await sequelize.query<{ xip: string[]; xmax: string; after: string }>(
    `SELECT ARRAY(SELECT pg_snapshot_xip(pg_current_snapshot()))::text[] AS xip,
            pg_snapshot_xmax(pg_current_snapshot())::text AS xmax, pg_current_xact_id()::text AS after`,
    { type: QueryTypes.SELECT },
  );
  return { seq: BigInt(sequence!.seq), inProgress: snapshot!.xip, from: snapshot!.xmax, to: snapshot!.after };
}

export async function hasSettled(sequelize: Sequelize, watermark: Watermark): Promise<boolean> {
  const [row] = await sequelize.query<{ running: number }>(
    `SELECT count(*)::int AS running FROM (
       SELECT unnest($1::xid8[]) AS x
       UNION ALL SELECT id::text::xid8 FROM generate_series($2::bigint, $3::bigint - 1) AS id
     ) AS candidates WHERE pg_xact_status(x) = 'in progress'`,
    { bind: [watermark.inProgress, watermark.from, watermark.to], type: QueryTypes.SELECT },
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
