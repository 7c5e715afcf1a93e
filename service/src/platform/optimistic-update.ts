import { OptimisticLockError, type Attributes, type Model } from 'sequelize';
import { preconditionFailed } from './errors';

/**
 * Applies `changes` only if the row is still at `expectedVersion` (the ETag the client read). The model's
 * `version: true` makes the UPDATE itself conditional (`WHERE version = expected`), so of two writers
 * that read the same version exactly one succeeds; the other gets 412 and nothing changes.
 */
export async function updateAtVersion<M extends Model & { version: number }>(
  row: M,
  expectedVersion: number,
  changes: Partial<Attributes<M>>,
): Promise<M> {
  const stale = () =>
    preconditionFailed('The record changed since it was read; read it again.', 'stale_version');
  if (row.version !== expectedVersion) throw stale();
  row.set(changes);
  try {
    return await row.save();
  } catch (error) {
    if (error instanceof OptimisticLockError) throw stale();
    throw error;
  }
}
