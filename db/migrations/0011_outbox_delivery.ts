import { sqlMigration } from '../migration';

/**
 * The mail worker gives up on a message after its last attempt: failed_at ends its retries, and last_error
 * keeps why (an error class, never the address or the message), for the operator. Both columns are nullable,
 * so adding them is a catalogue change only; the index the worker's query uses is 0012's, built concurrently.
 */
export default sqlMigration(
  '0011_outbox_delivery',
  `
  ALTER TABLE outbox ADD COLUMN failed_at timestamptz, ADD COLUMN last_error text;
  `,
  `
  ALTER TABLE outbox DROP COLUMN failed_at, DROP COLUMN last_error;
  `,
);
