import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { GENESIS_SEAL_HASH } from './canonical';
import { createSettledTracker } from './watermark';

// Any constant works; it only has to be the same in every instance of the service.
export const SEALER_LOCK_KEY = 7_412_002;
const DEFAULT_BLOCK_SIZE = 1000;
/**
 * The next block, sealed by PostgreSQL in one statement: the events after the chain's head up to the
 * settled number, at most `$2` of them and all from the partition of the first (a block never spans two
 * monthly partitions, so retention removes whole blocks), chained to the head's seal hash. The seal hash is
 * sha256(previous seal hash || the block's event hashes in sequence order) over raw bytes, as
 * canonical.ts's sealHash computes it for the verifier. No event passes through the service, whose event
 * loop sealing held 10-30 ms a round when it read the events and hashed them itself
 * (loadtests/reports/hot-paths.md). `first` and `other` are MATERIALIZED: inlined, PostgreSQL computed them
 * once per candidate (94 ms a block of 1,000 instead of 8).
 */
const SEAL_NEXT_BLOCK = `
WITH last AS (
  SELECT block_number, last_seq, seal_hash FROM audit_seals ORDER BY audit_seals.block_number DESC LIMIT 1
), head AS (
  SELECT coalesce((SELECT block_number FROM last), 0) AS block_number,
         coalesce((SELECT last_seq FROM last), 0) AS last_seq,
         coalesce((SELECT seal_hash FROM last), $3) AS seal_hash
), candidates AS (
  SELECT seq, content_hash, tableoid FROM audit_events
   WHERE seq > (SELECT last_seq FROM head) AND seq <= $1 ORDER BY audit_events.seq, occurred_at LIMIT $2
), first AS MATERIALIZED (
  SELECT tableoid FROM candidates ORDER BY seq LIMIT 1
), other AS MATERIALIZED (
  SELECT min(seq) AS seq FROM candidates, first WHERE candidates.tableoid <> first.tableoid
), block AS (
  SELECT c.* FROM candidates c, first, other
   WHERE c.tableoid = first.tableoid AND (other.seq IS NULL OR c.seq < other.seq)
)
INSERT INTO audit_seals (block_number, first_seq, last_seq, event_count, partition_name, event_seqs, event_hashes,
                         previous_seal_hash, seal_hash)
SELECT head.block_number + 1, min(block.seq), max(block.seq), count(*), block.tableoid::regclass::text,
       array_agg(block.seq ORDER BY block.seq), array_agg(block.content_hash ORDER BY block.seq), head.seal_hash,
       encode(sha256(decode(head.seal_hash, 'hex') ||
                     string_agg(decode(block.content_hash, 'hex'), ''::bytea ORDER BY block.seq)), 'hex')
  FROM block, head
 GROUP BY head.block_number, head.seal_hash, block.tableoid
RETURNING event_count`;

/**
 * One round under a transaction-level advisory lock: only one instance seals at a time; the others skip.
 * Answers how many events it sealed (0: none left, or another instance holds the lock).
 */
async function sealNextBlock(sequelize: Sequelize, settled: bigint, blockSize: number): Promise<number> {
  return sequelize.transaction(async (transaction) => {
    const [lock] = await sequelize.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_xact_lock($1) AS locked`,
      { bind: [SEALER_LOCK_KEY], type: QueryTypes.SELECT, transaction },
    );
    if (!lock!.locked) return 0;
    const [sealed] = await sequelize.query<{ event_count: number }>(SEAL_NEXT_BLOCK, {
      bind: [String(settled), blockSize, GENESIS_SEAL_HASH],
      type: QueryTypes.SELECT,
      transaction,
    });
    return sealed?.event_count ?? 0;
  });
}

export function createAuditSealer(
  sequelize: Sequelize,
  metrics: Metrics,
  logger: Logger,
  blockSize = DEFAULT_BLOCK_SIZE,
) {
  const settledSeq = createSettledTracker(sequelize);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function sampleLag(): Promise<void> {
    const [lag] = await sequelize.query<{ unsealed: number; seconds: number | null }>(
      `SELECT count(*)::int AS unsealed, extract(epoch FROM now() - min(occurred_at))::float8 AS seconds FROM audit_events
       WHERE seq > (SELECT coalesce(max(last_seq), 0) FROM audit_seals)`,
      { type: QueryTypes.SELECT },
    );
    metrics.audit.unsealedEvents.set(lag!.unsealed);
    metrics.audit.sealerLagSeconds.set(Math.max(0, lag!.seconds ?? 0));
  }

  /** Seals every settled event; returns how many it sealed (0 when another instance holds the lock). */
  async function sealOnce(): Promise<number> {
    let sealed = 0;
    const settled = await settledSeq();
    if (settled !== undefined) {
      const round = () => sealNextBlock(sequelize, settled, blockSize);
      for (let count = await round(); count > 0; count = await round()) sealed += count;
    }
    await sampleLag();
    return sealed;
  }

  return {
    sealOnce,
    start(intervalMs: number): void {
      timer = setInterval(() => {
        // A slow round is not overlapped by the next one: rounds would only contend for the lock.
        running ??= sealOnce()
          .catch((error: unknown) => logger.warn('audit sealing failed; retrying next round', { error }))
          .finally(() => (running = undefined));
      }, intervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
}

export type AuditSealer = ReturnType<typeof createAuditSealer>;
