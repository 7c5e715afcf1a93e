import { QueryTypes, type Sequelize } from 'sequelize';
import { GENESIS_SEAL_HASH, SEQ_FIELD, contentHash, sealHash } from './canonical';
import { storedEvents, storedSeals, type StoredEvent, type StoredSeal } from './chain-reader';

export type TamperKind = 'altered' | 'deleted' | 'inserted' | 'reordered' | 'seal_altered' | 'chain_broken';

/** The first thing found wrong, naming the event (by sequence number) or the block. */
export interface ChainProblem {
  readonly kind: TamperKind;
  readonly seq?: string;
  readonly blockNumber: string | null;
  readonly detail: string;
}

export interface VerificationResult {
  readonly ok: boolean;
  readonly checkedEvents: number;
  readonly sealedBlocks: number;
  readonly prunedBlocks: number;
  readonly unsealedEvents: number;
  readonly problem: ChainProblem | null;
  readonly verifiedAt: string;
}

/** An async iterator that can look at its next item without taking it. */
class Lookahead<T> {
  private next: Promise<IteratorResult<T>>;
  constructor(private readonly iterator: AsyncIterator<T>) {
    this.next = iterator.next();
  }
  async peek(): Promise<T | undefined> {
    const result = await this.next;
    return result.done ? undefined : result.value;
  }
  async take(): Promise<T | undefined> {
    const value = await this.peek();
    if (value !== undefined) this.next = this.iterator.next();
    return value;
  }
}

const problem = (
  kind: TamperKind,
  blockNumber: string | null,
  detail: string,
  seq?: string,
): ChainProblem => ({
  kind,
  blockNumber,
  detail,
  ...(seq === undefined ? {} : { seq }),
});

/** A block whose partition retention dropped: its events are legitimately gone, its seal still chains. */
function isPruned(seal: StoredSeal, partitions: ReadonlySet<string>, retentionYears: number): boolean {
  const month = /(\d{4})_(\d{2})$/.exec(seal.partitionName);
  if (partitions.has(seal.partitionName) || !month) return false;
  const cutoff = new Date();
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - retentionYears);
  return Date.UTC(Number(month[1]), Number(month[2]), 1) <= cutoff.getTime();
}

function checkSealItself(
  seal: StoredSeal,
  previousHash: string,
  expectedBlock: bigint,
  lastSeq: bigint,
): ChainProblem | undefined {
  if (BigInt(seal.blockNumber) !== expectedBlock)
    return problem('chain_broken', seal.blockNumber, `block ${expectedBlock} is missing`);
  if (seal.previousSealHash !== previousHash || BigInt(seal.firstSeq) <= lastSeq) {
    return problem('chain_broken', seal.blockNumber, 'the block does not follow the previous one');
  }
  if (sealHash(previousHash, seal.eventHashes) !== seal.sealHash) {
    return problem('seal_altered', seal.blockNumber, 'the seal does not match the hashes it lists');
  }
  return undefined;
}

/** The sealed position whose hash the event's content matches once given that position's number. */
function movedFrom(event: StoredEvent, seal: StoredSeal): string | undefined {
  return seal.eventSeqs.find((seq, index) => {
    const asThere = event.fields.map((field, i) => (i === SEQ_FIELD ? seq : field));
    return seq !== event.seq && contentHash(asThere) === seal.eventHashes[index];
  });
}

async function checkBlockEvents(
  events: Lookahead<StoredEvent>,
  seal: StoredSeal,
): Promise<ChainProblem | undefined> {
  const block = seal.blockNumber;
  for (const [index, seq] of seal.eventSeqs.entries()) {
    const head = await events.peek();
    if (head && BigInt(head.seq) < BigInt(seq))
      return problem('inserted', block, 'an event the seal does not list', head.seq);
    if (!head || head.seq !== seq) return problem('deleted', block, 'a sealed event is missing', seq);
    const sameSeq: StoredEvent[] = [];
    while ((await events.peek())?.seq === seq) sameSeq.push((await events.take())!);
    const genuine = sameSeq.find((event) => contentHash(event.fields) === seal.eventHashes[index]);
    if (genuine && sameSeq.length > 1)
      return problem('inserted', block, 'a second event with a sealed sequence number', seq);
    if (genuine && genuine.contentHash !== seal.eventHashes[index])
      return problem('altered', block, 'its stored hash was changed', seq);
    if (genuine) continue;
    const original = movedFrom(sameSeq[0]!, seal);
    if (original) return problem('reordered', block, `it holds the event sealed as number ${original}`, seq);
    return problem('altered', block, 'its content differs from what was sealed', seq);
  }
  const next = await events.peek();
  if (next && BigInt(next.seq) <= BigInt(seal.lastSeq))
    return problem('inserted', block, 'an event the seal does not list', next.seq);
  return undefined;
}

async function partitionNames(sequelize: Sequelize): Promise<Set<string>> {
  const rows = await sequelize.query<{ name: string }>(
    `SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'audit_events'::regclass`,
    { type: QueryTypes.SELECT },
  );
  return new Set(rows.map((row) => row.name));
}

async function walkChain(
  sequelize: Sequelize,
  retentionYears: number,
): Promise<Omit<VerificationResult, 'ok' | 'verifiedAt'>> {
  const events = new Lookahead(storedEvents(sequelize)[Symbol.asyncIterator]());
  const partitions = await partitionNames(sequelize);
  let previousHash = GENESIS_SEAL_HASH;
  let lastSeq = 0n;
  let sealedBlocks = 0;
  let prunedBlocks = 0;
  let checkedEvents = 0;
  const result = (found: ChainProblem | null, unsealedEvents = 0) => ({
    checkedEvents,
    sealedBlocks,
    prunedBlocks,
    unsealedEvents,
    problem: found,
  });

  for await (const seal of storedSeals(sequelize)) {
    const broken = checkSealItself(seal, previousHash, BigInt(sealedBlocks + 1), lastSeq);
    if (broken) return result(broken);
    sealedBlocks += 1;
    previousHash = seal.sealHash;
    lastSeq = BigInt(seal.lastSeq);
    if (isPruned(seal, partitions, retentionYears)) {
      prunedBlocks += 1;
      continue;
    }
    const tampered = await checkBlockEvents(events, seal);
    if (tampered) return result(tampered);
    checkedEvents += seal.eventSeqs.length;
  }
  let unsealed = 0;
  for (let event = await events.take(); event; event = await events.take()) {
    if (BigInt(event.seq) <= lastSeq)
      return result(
        problem('inserted', null, 'an event inside the sealed range that no seal lists', event.seq),
      );
    if (contentHash(event.fields) !== event.contentHash)
      return result(problem('altered', null, 'its content differs from its hash', event.seq));
    unsealed += 1;
    checkedEvents += 1;
  }
  return result(null, unsealed);
}

/**
 * Checks the whole trail: every seal chains to the one before, every sealed event is present, unchanged
 * and in place, no event was slipped into a sealed range, and unsealed events still match their hashes.
 */
export async function verifyAuditChain(
  sequelize: Sequelize,
  options: { readonly retentionYears: number },
): Promise<VerificationResult> {
  const walked = await walkChain(sequelize, options.retentionYears);
  const verifiedAt = new Date();
  return { ok: walked.problem === null, ...walked, verifiedAt: verifiedAt.toISOString() };
}
