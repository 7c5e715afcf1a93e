/** carewatch_providers_available{specialty}, counted on the (specialty, availability) index. */
export const AVAILABLE_PROVIDERS_BY_SPECIALTY = `SELECT specialty AS label, count(*)::int AS count FROM providers
  WHERE availability = 'available' GROUP BY specialty`;
