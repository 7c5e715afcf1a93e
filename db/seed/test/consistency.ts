import type { Pool } from 'pg';

/**
 * Rules every seeded consultation and prescription must follow, as SQL predicates. Each query returns the
 * rows that break its rule, so a failing test names the rule and the statuses involved.
 */
const CONSULTATION_RULES: Record<string, string> = {
  'accepted, started and ended in order': `accepted_at >= requested_at AND started_at >= accepted_at
    AND ended_at >= coalesce(started_at, accepted_at, requested_at)`,
  'expires a TTL after the request': `expires_at = requested_at + make_interval(secs => ttl_seconds)`,
  'nothing after the end of the history': `greatest(requested_at, accepted_at, started_at, ended_at, updated_at) <= history_end`,
  'created at the request, updated at the last change': `created_at = requested_at
    AND updated_at = greatest(requested_at, accepted_at, started_at, ended_at,
      CASE WHEN status = 'expired' THEN expires_at END)`,
  'a provider exactly when accepted': `(provider_id IS NULL) = (accepted_at IS NULL)`,
  'the provider practises the specialty': `provider_id IS NULL
    OR specialty = (SELECT p.specialty FROM providers p WHERE p.user_id = provider_id)`,
  'an outcome and notes only when completed': `(outcome IS NOT NULL) = (status = 'completed')
    AND (notes IS NOT NULL) = (status = 'completed')`,
  'cancelled_by only when cancelled': `(cancelled_by IS NOT NULL) = (status = 'cancelled')`,
  'requested: waiting, not yet expired': `status <> 'requested'
    OR (accepted_at IS NULL AND ended_at IS NULL AND expires_at > history_end AND version = 1)`,
  'expired: never accepted, past its expiry': `status <> 'expired' OR (accepted_at IS NULL AND ended_at IS NULL AND expires_at <= history_end)`,
  'accepted: not started': `status <> 'accepted' OR (accepted_at IS NOT NULL AND started_at IS NULL AND ended_at IS NULL)`,
  'in progress: started, not ended': `status <> 'in_progress' OR (started_at IS NOT NULL AND ended_at IS NULL)`,
  'completed: started and ended': `status <> 'completed' OR (started_at IS NOT NULL AND ended_at IS NOT NULL)`,
  'cancelled or no-show: ended without starting': `status NOT IN ('cancelled', 'no_show')
    OR (started_at IS NULL AND ended_at IS NOT NULL)`,
  'no-show: accepted first': `status <> 'no_show' OR accepted_at IS NOT NULL`,
};

const PRESCRIPTION_RULES: Record<string, string> = {
  'for a completed, prescribing consultation of the same patient and provider': `c.status = 'completed'
    AND c.outcome = 'prescribed' AND rx.patient_id = c.patient_id AND rx.provider_id = c.provider_id`,
  'issued during the visit': `rx.issued_at BETWEEN c.started_at AND c.ended_at AND rx.created_at = rx.issued_at`,
  'sent, filled and cancelled in order': `rx.sent_at >= rx.issued_at AND rx.filled_at >= rx.sent_at
    AND rx.cancelled_at >= coalesce(rx.sent_at, rx.issued_at)`,
  'timestamps match the status': `CASE rx.status
    WHEN 'issued' THEN rx.sent_at IS NULL AND rx.filled_at IS NULL AND rx.cancelled_at IS NULL
    WHEN 'sent' THEN rx.sent_at IS NOT NULL AND rx.filled_at IS NULL AND rx.cancelled_at IS NULL
    WHEN 'filled' THEN rx.filled_at IS NOT NULL AND rx.cancelled_at IS NULL
    WHEN 'cancelled' THEN rx.cancelled_at IS NOT NULL AND rx.filled_at IS NULL END`,
  'nothing after the end of the history': `greatest(rx.issued_at, rx.sent_at, rx.filled_at, rx.cancelled_at) <= history_end`,
};

export interface Violation {
  readonly rule: string;
  readonly status: string;
  readonly count: number;
}

// The history's end and the request TTL, as columns every rule can name.
const SEEDED = 'CROSS JOIN (SELECT $1::timestamptz AS history_end, $2::integer AS ttl_seconds) AS seeded';

async function violations(
  pool: Pool,
  from: string,
  status: string,
  rules: Record<string, string>,
  params: [Date, number],
): Promise<Violation[]> {
  const found: Violation[] = [];
  for (const [rule, predicate] of Object.entries(rules)) {
    // A NULL predicate means a compared timestamp is absent: that is allowed, only FALSE breaks the rule.
    const { rows } = await pool.query<{ status: string; count: string }>(
      `SELECT ${status} AS status, count(*) FROM ${from} ${SEEDED} WHERE (${predicate}) IS FALSE GROUP BY 1`,
      params,
    );
    found.push(...rows.map((row) => ({ rule, status: row.status, count: Number(row.count) })));
  }
  return found;
}

export function consultationViolations(
  pool: Pool,
  end: Date,
  requestTtlSeconds: number,
): Promise<Violation[]> {
  return violations(pool, 'consultations', 'status', CONSULTATION_RULES, [end, requestTtlSeconds]);
}

export function prescriptionViolations(pool: Pool, end: Date): Promise<Violation[]> {
  const from = 'prescriptions rx JOIN consultations c ON c.id = rx.consultation_id';
  return violations(pool, from, `'prescription ' || rx.status`, PRESCRIPTION_RULES, [end, 0]);
}
