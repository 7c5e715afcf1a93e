import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { GENESIS_SEAL_HASH } from './canonical';
import { storedSeals, type StoredSeal } from './chain-reader';

/**
 * A signed copy of the seal chain, for an auditor to keep outside the database: a later export that no
 * longer contains these seals, or contains them changed, shows that the trail was rewritten.
 */
export const CHECKPOINT_FORMAT = 'carewatch-audit-checkpoint/1';

export type CheckpointSeal = Pick<
  StoredSeal,
  'blockNumber' | 'firstSeq' | 'lastSeq' | 'partitionName' | 'previousSealHash' | 'sealHash' | 'sealedAt'
> & { readonly eventCount: number };

export interface CheckpointPayload {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly issuedAt: string;
  /** Ed25519, SPKI DER in base64: the key the signature verifies with (trust it only if you know it). */
  readonly publicKey: string;
  readonly head: { readonly blockNumber: string; readonly sealHash: string } | null;
  readonly seals: readonly CheckpointSeal[];
}

export interface SignedCheckpoint {
  readonly payload: CheckpointPayload;
  /** Ed25519 signature of JSON.stringify(payload), base64. */
  readonly signature: string;
}

export function checkpointKey(privateKeyBase64: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(privateKeyBase64, 'base64'), format: 'der', type: 'pkcs8' });
}

export function publicKeyOf(privateKeyBase64: string): string {
  return createPublicKey(checkpointKey(privateKeyBase64))
    .export({ format: 'der', type: 'spki' })
    .toString('base64');
}

export async function buildCheckpoint(
  sequelize: Sequelize,
  privateKeyBase64: string,
): Promise<SignedCheckpoint> {
  const seals: CheckpointSeal[] = [];
  for await (const seal of storedSeals(sequelize)) {
    const { blockNumber, firstSeq, lastSeq, partitionName, previousSealHash, sealHash, sealedAt } = seal;
    seals.push({
      blockNumber,
      firstSeq,
      lastSeq,
      eventCount: seal.eventSeqs.length,
      partitionName,
      previousSealHash,
      sealHash,
      sealedAt,
    });
  }
  const last = seals.at(-1);
  const payload: CheckpointPayload = {
    format: CHECKPOINT_FORMAT,
    issuedAt: new Date().toISOString(),
    publicKey: publicKeyOf(privateKeyBase64),
    head: last ? { blockNumber: last.blockNumber, sealHash: last.sealHash } : null,
    seals,
  };
  const signature = sign(
    null,
    Buffer.from(JSON.stringify(payload)),
    checkpointKey(privateKeyBase64),
  ).toString('base64');
  return { payload, signature };
}

/**
 * Checks a checkpoint without the database: the signature (with the key the auditor trusts, or else the
 * one the file names) and that its seals chain from the first block to the head.
 */
export function verifyCheckpoint(
  checkpoint: SignedCheckpoint,
  trustedPublicKeyBase64?: string,
): { ok: boolean; reason?: string } {
  const keyBase64 = trustedPublicKeyBase64 ?? checkpoint.payload.publicKey;
  const key = createPublicKey({ key: Buffer.from(keyBase64, 'base64'), format: 'der', type: 'spki' });
  const signed = verify(
    null,
    Buffer.from(JSON.stringify(checkpoint.payload)),
    key,
    Buffer.from(checkpoint.signature, 'base64'),
  );
  if (!signed) return { ok: false, reason: 'the signature does not match the content' };
  let previous = GENESIS_SEAL_HASH;
  for (const seal of checkpoint.payload.seals) {
    if (seal.previousSealHash !== previous)
      return { ok: false, reason: `block ${seal.blockNumber} does not follow the previous one` };
    previous = seal.sealHash;
  }
  return { ok: true };
}
