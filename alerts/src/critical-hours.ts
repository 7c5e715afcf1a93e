// Critical hours: the part of the day when patients expect a provider to answer. Outside them an
// empty specialty is expected and must not page anyone. Shared by the alert rules and the
// healthcare-operations dashboard so both judge the same window.

export interface CriticalHours {
  /** First local hour inside the window (inclusive). */
  startHour: number;
  /** First local hour after the window (exclusive). */
  endHour: number;
  /** Local time minus UTC, in hours: PromQL's hour() works in UTC. */
  utcOffsetHours: number;
}

export const CRITICAL_HOURS: CriticalHours = { startHour: 7, endHour: 22, utcOffsetHours: 0 };

/**
 * A one-element, label-less vector that exists only while the local hour is inside the window, so
 * `x and on() criticalHoursFilter()` keeps x only during critical hours.
 */
export function criticalHoursFilter(hours: CriticalHours = CRITICAL_HOURS): string {
  const localHour =
    hours.utcOffsetHours === 0 ? 'hour()' : `hour(vector(time() + ${hours.utcOffsetHours * 3600}))`;
  return `(${localHour} >= ${hours.startHour} < ${hours.endHour})`;
}
