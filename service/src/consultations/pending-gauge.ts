/** carewatch_consultation_requests_pending{specialty}: requests still waiting, counted on the queue index. */
export const PENDING_REQUESTS_BY_SPECIALTY = `SELECT specialty AS label, count(*)::int AS count FROM consultations
  WHERE status = 'requested' AND expires_at > now() GROUP BY specialty`;

/**
 * carewatch_consultation_oldest_waiting_seconds{specialty}: how long the longest-waiting patient has
 * waited for a provider. Counts and quantiles of acceptances only move once someone is accepted; the
 * patient still waiting is the safety signal. 0 when nobody waits.
 */
export const OLDEST_WAITING_BY_SPECIALTY = `SELECT specialty AS label, extract(epoch FROM now() - min(requested_at))::float8 AS count
  FROM consultations WHERE status = 'requested' AND expires_at > now() GROUP BY specialty`;
