import type { Metrics } from './metrics';

// Critical hours: the part of the clinic day when patients expect a provider to answer. Outside them an
// empty specialty is expected and must not page anyone. The service judges it, in the clinics' time
// zone, because PromQL's hour() knows only UTC and a fixed offset cannot follow daylight saving.

export interface CriticalHours {
  /** First local hour inside the window (inclusive). */
  readonly startHour: number;
  /** First local hour after the window (exclusive). */
  readonly endHour: number;
}

export const CRITICAL_HOURS: CriticalHours = { startHour: 7, endHour: 22 };

/** The clinic's local wall-clock fields of `at`, from the time zone database (DST included). */
function localParts(at: Date, format: Intl.DateTimeFormat): { hour: number; offsetSeconds: number } {
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  const hour = Number(parts.hour) % 24;
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    hour,
    Number(parts.minute),
    Number(parts.second),
  );
  return { hour, offsetSeconds: Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 1000) };
}

export function clinicClock(timeZone: string, hours: CriticalHours = CRITICAL_HOURS) {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return {
    /** Is `at` inside critical hours, in local time? */
    insideCriticalHours(at: Date): boolean {
      const { hour } = localParts(at, format);
      return hour >= hours.startHour && hour < hours.endHour;
    },
    /** Local time minus UTC at `at`, in seconds: what the rules fall back on while no target answers. */
    utcOffsetSeconds: (at: Date): number => localParts(at, format).offsetSeconds,
  };
}

/** Sets carewatch_in_critical_period and carewatch_clinic_utc_offset_seconds just before every scrape. */
export function exportCriticalHours(metrics: Metrics, timeZone: string, now = () => new Date()): void {
  const clock = clinicClock(timeZone);
  metrics.samplers.add(() => {
    const at = now();
    metrics.clinic.criticalHours.set(clock.insideCriticalHours(at) ? 1 : 0);
    metrics.clinic.utcOffsetSeconds.set(clock.utcOffsetSeconds(at));
  });
}
