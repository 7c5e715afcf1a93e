import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { GENESIS_SEAL_HASH, sealHash } from './canonical';
import { createSettledTracker } from './watermark';

// Any constant works; it only has to be the same in every instance of the service.
export const SEALER_LOCK_KEY = 7_412_002;
const DEFAULT_BLOCK_SIZE = 1000;
// One block's events a round, each round its own transaction: the event loop takes at most a block's rows
// at a time. Twenty blocks a round held it 10-30 ms at every round under load (`npm run bench:tail` with
// BENCH_SETTINGS=AUDIT_SEAL_INTERVAL_MS=5000; loadtests/reports/hot-paths.md).
const BLOCKS_PER_ROUND = 1;

interface SealHead {
  readonly blockNumber: bigint;
  readonly lastSeq: bigint;
  readonly sealHash: string;
}

interface SealableEvent {
  readonly seq: string;
  readonly content_hash: string;
  readonly partition: string;
}

interface Block {
  readonly partition: string;
  readonly events: SealableEvent[];
}

/** Cut at the block size and at every change of partition, so that retention removes whole blocks. */
function intoBlocks(events: readonly SealableEvent[], blockSize: number): Block[] {
  const blocks: Block[] = [];
  for (const event of events) {
    const current = blocks.at(-1);
    if (current && current.partition === event.partition && current.events.length < blockSize)
      current.events.push(event);
    else blocks.push({ partition: event.partition, events: [event] });
  }
  return blocks;
}

async function readHead(sequelize: Sequelize, transaction: Transaction): Promise<SealHead> {
  const [head] = await sequelize.query<{ block_number: string; last_seq: string; seal_hash: string }>(
    `SELECT block_number::text, last_seq::text, seal_hash FROM audit_seals ORDER BY audit_seals.block_number DESC LIMIT 1`,
    { type: QueryTypes.SELECT, transaction },
  );
  return head
    ? { blockNumber: BigInt(head.block_number), lastSeq: BigInt(head.last_seq), sealHash: head.seal_hash }
    : { blockNumber: 0n, lastSeq: 0n, sealHash: GENESIS_SEAL_HASH };
}

async function writeBlock(
  sequelize: Sequelize,
  transaction: Transaction,
  head: SealHead,
  block: Block,
): Promise<SealHead> {
  const hashes = block.events.map((event) => event.content_hash);
  const seqs = block.events.map((event) => event.seq);
  const next = {
    blockNumber: head.blockNumber + 1n,
    lastSeq: BigInt(seqs.at(-1)!),
    sealHash: sealHash(head.sealHash, hashes),
  };
  await sequelize.query(
    `INSERT INTO audit_seals (block_number, first_seq, last_seq, event_count, partition_name, event_seqs, event_hashes,
                              previous_seal_hash, seal_hash)
     VALUES ($1, $2, $3, $4, $5, $6::bigint[], $7::text[], $8, $9)`,
    {
      bind: [
        String(next.blockNumber),
        seqs[0],
        seqs.at(-1),
        seqs.length,
        block.partition,
        seqs,
        hashes,
        head.sealHash,
        next.sealHash,
      ],
      transaction,
    },
  );
  return next;
}

/** One round under a transaction-level advisory lock: only one instance seals at a time; the others skip. */
async function sealUpTo(sequelize: Sequelize, settled: bigint, blockSize: number): Promise<number> {
  return sequelize.transaction(async (transaction) => {
    const [lock] = await sequelize.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_xact_lock($1) AS locked`,
      {
        bind: [SEALER_LOCK_KEY],
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (!lock!.locked) return 0;
    let head = await readHead(sequelize, transaction);
    const events = await sequelize.query<SealableEvent>(
      `SELECT seq::text, content_hash, tableoid::regclass::text AS partition FROM audit_events
       WHERE seq > $1 AND seq <= $2 ORDER BY audit_events.seq, occurred_at LIMIT $3`,
      {
        bind: [String(head.lastSeq), String(settled), BLOCKS_PER_ROUND * blockSize],
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    for (const block of intoBlocks(events, blockSize))
      head = await writeBlock(sequelize, transaction, head, block);
    return events.length;
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
      const round = () => sealUpTo(sequelize, settled, blockSize);
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
