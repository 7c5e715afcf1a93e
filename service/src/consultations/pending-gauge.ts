/** carewatch_consultation_requests_pending{specialty}: requests still waiting, counted on the queue index. */
export const PENDING_REQUESTS_BY_SPECIALTY = `SELECT specialty AS label, count(*)::int AS count FROM consultations
  WHERE status = 'requested' AND expires_at > now() GROUP BY specialty`;
