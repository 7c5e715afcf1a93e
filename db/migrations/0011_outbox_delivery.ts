import { sqlMigration } from '../migration';

export default sqlMigration(
  '0011_outbox_delivery',
  `
  -- The mail worker gives up on a message after its last attempt: failed_at ends its retries, and
  -- last_error keeps why (an error class, never the address or the message), for the operator.
  ALTER TABLE outbox ADD COLUMN failed_at timestamptz, ADD COLUMN last_error text;
  DROP INDEX outbox_pending;
  CREATE INDEX outbox_pending ON outbox (available_at) WHERE sent_at IS NULL AND failed_at IS NULL;
  `,
  `
  DROP INDEX outbox_pending;
  CREATE INDEX outbox_pending ON outbox (available_at) WHERE sent_at IS NULL;
  ALTER TABLE outbox DROP COLUMN failed_at, DROP COLUMN last_error;
  `,
);
