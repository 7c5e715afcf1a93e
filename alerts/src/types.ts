// The shapes of Prometheus rule files, plus the promtool unit cases that travel with each alert.
// Cases live beside the alert they exercise so an alert cannot be added without both cases: the
// type makes `cases` mandatory.

/** `none` is the Watchdog's alone: it always fires and goes to the dead man's switch, never to a person. */
export type Severity = 'critical' | 'warning' | 'info' | 'none';
export type Team = 'sre' | 'operations' | 'compliance';

export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info', 'none'];
export const TEAMS: readonly Team[] = ['sre', 'operations', 'compliance'];

/** One promtool input series: `series` is a PromQL selector, `values` the expanding notation ('0+1x60'). */
export interface InputSeries {
  series: string;
  values: string;
}

/** What the alert must produce at `evalTime`: its labels (beyond severity and team) and `$value` as the
 * description renders it. */
export interface ExpectedAlert {
  labels: Record<string, string>;
  value: string;
}

export interface FiringCase {
  input: InputSeries[];
  evalTime: string;
  expect: ExpectedAlert[];
}

export interface QuietCase {
  /** Why this input must not fire: it names the boundary the case guards. */
  why: string;
  input: InputSeries[];
  evalTime: string;
}

export interface AlertCases {
  fires: FiringCase;
  /** Mandatory for every alert but the always-firing Watchdog (severity none), which has no quiet state. */
  quiet?: QuietCase;
  /** Further boundaries worth pinning (a first event, a quiet night, a missing target). */
  more?: (FiringCase | QuietCase)[];
}

export function isQuietCase(c: FiringCase | QuietCase): c is QuietCase {
  return 'why' in c;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: Severity; team: Team } & Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
  cases: AlertCases;
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: (AlertRule | RecordingRule)[];
}

/** One `alerts/dist/<name>.rules.yml`. */
export interface RuleFile {
  name: string;
  groups: RuleGroup[];
}

export function isAlertRule(rule: AlertRule | RecordingRule): rule is AlertRule {
  return 'alert' in rule;
}
