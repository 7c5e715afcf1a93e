import { sqlMigration } from '../migration';

/**
 * The content hash's shape, checked without a bounded repetition. PostgreSQL's regex engine spends about
 * 6 µs on `content_hash ~ '^[0-9a-f]{64}$'` per row, against 0.46 µs for a length and a search for any
 * character outside [0-9a-f], which accept exactly the same texts (loadtests/reports/audit-trigger.md):
 * a sixth of an audit row's whole insert, paid by every audited request. Added NOT VALID (no scan under
 * an exclusive lock; every existing row passed the old check) and validated by 0020.
 */
export default sqlMigration(
  '0019_audit_hash_check',
  `
  ALTER TABLE audit_events DROP CONSTRAINT audit_events_content_hash_check;
  ALTER TABLE audit_events ADD CONSTRAINT audit_events_content_hash_check
    CHECK (length(content_hash) = 64 AND content_hash !~ '[^0-9a-f]') NOT VALID;
  `,
  `
  ALTER TABLE audit_events DROP CONSTRAINT audit_events_content_hash_check;
  ALTER TABLE audit_events ADD CONSTRAINT audit_events_content_hash_check
    CHECK (content_hash ~ '^[0-9a-f]{64}$');
  `,
);
