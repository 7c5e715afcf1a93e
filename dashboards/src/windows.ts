import { TIME_TO_ACCEPTANCE_WINDOW } from '../../alerts/src/patient-safety';

// Windows that fit clinical volumes (a few events an hour). `$__rate_interval` suits request rates; a
// quantile of a handful of acceptances over it is empty, and an increase() over it is a fractional,
// zoom-dependent count. Clinical quantiles use the alert's own window; counts of rare events use a
// fixed hour, so a panel reads "in the last hour" at any zoom.

export const CLINICAL_QUANTILE_WINDOW = TIME_TO_ACCEPTANCE_WINDOW;
export const COUNT_WINDOW = '1h';

/** The fixed ranges the lint accepts, and where: quantiles of these histograms, and increase(). */
export const FIXED_WINDOWS: ReadonlySet<string> = new Set([CLINICAL_QUANTILE_WINDOW, COUNT_WINDOW]);

export const CLINICAL_HISTOGRAMS = [
  'carewatch_consultation_time_to_acceptance_seconds',
  'carewatch_provider_response_seconds',
] as const;
