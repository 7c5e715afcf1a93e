import { concurrentIndexMigration } from '../migration';

/**
 * The messages the mail worker may still send: unsent and not given up (0011). Built concurrently, since
 * the outbox holds rows. 0004's outbox_pending (unsent only) stays: the previous release's worker still
 * reads with it while this one rolls out; a later release drops it (expand, then contract).
 */
export default concurrentIndexMigration('0012_outbox_due_index', [
  { name: 'outbox_due', on: 'outbox (available_at)', where: 'sent_at IS NULL AND failed_at IS NULL' },
]);
