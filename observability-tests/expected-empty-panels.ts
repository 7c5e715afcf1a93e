// Panel expressions that answer no series against the test workload, each with the reason. Every entry is
// checked to name a real panel expression, and a `feature` or `fault` entry that starts answering series
// fails the test: the list shrinks as features and their workload steps land, and cannot rot.

export interface EmptyPanelExpectation {
  readonly dashboardUid: string;
  readonly panelTitle: string;
  /** Omitted: every target of the panel. */
  readonly refId?: string;
  /**
   * `feature`: what the panel shows has not landed (or has no workload step yet); must be empty.
   * `fault`: only a failure produces it, and the workload is healthy on purpose; must be empty.
   * `unstable`: empty or not depending on what the test cannot control (time of day, history length).
   */
  readonly kind: 'feature' | 'fault' | 'unstable';
  readonly reason: string;
}

const OPERATIONS = 'carewatch-healthcare-operations';
const AUDIT = 'carewatch-hipaa-audit';
const STORES = 'carewatch-data-stores';
const SLO = 'carewatch-slo';
const OVERVIEW = 'carewatch-service-overview';

const CONSULTATIONS = 'consultation routes and their workload steps have not landed';
const PRESCRIPTIONS = 'prescription routes and their workload steps have not landed';
const AUTH = 'auth routes (login, MFA, refresh) and their workload steps have not landed';
const AUDITED = 'audited PHI routes have not landed, so no audit event is written';
const NO_5XX =
  'the availability SLI is 5xx / all, and a labelled counter has no 5xx series until the first 5xx, ' +
  'so the ratio and every recording built on it are empty (not 0) while the service is healthy';

export const EXPECTED_EMPTY_PANELS: readonly EmptyPanelExpectation[] = [
  { dashboardUid: OVERVIEW, panelTitle: 'Server error ratio by route', kind: 'fault', reason: NO_5XX },
  {
    dashboardUid: OVERVIEW,
    panelTitle: 'Unhandled errors',
    kind: 'fault',
    reason: 'counted only when a request fails unexpectedly (500)',
  },
  {
    dashboardUid: OPERATIONS,
    panelTitle: 'Consultation transitions',
    kind: 'feature',
    reason: CONSULTATIONS,
  },
  { dashboardUid: OPERATIONS, panelTitle: 'Completion rate', kind: 'feature', reason: CONSULTATIONS },
  { dashboardUid: OPERATIONS, panelTitle: 'Expired requests', kind: 'feature', reason: CONSULTATIONS },
  {
    dashboardUid: OPERATIONS,
    panelTitle: 'Failed operations',
    refId: 'A',
    kind: 'feature',
    reason: CONSULTATIONS,
  },
  {
    dashboardUid: OPERATIONS,
    panelTitle: 'Failed operations',
    refId: 'B',
    kind: 'feature',
    reason: PRESCRIPTIONS,
  },
  { dashboardUid: OPERATIONS, panelTitle: 'Prescription operations', kind: 'feature', reason: PRESCRIPTIONS },
  { dashboardUid: OPERATIONS, panelTitle: 'Time to acceptance', kind: 'feature', reason: CONSULTATIONS },
  { dashboardUid: OPERATIONS, panelTitle: 'Provider response time', kind: 'feature', reason: CONSULTATIONS },
  { dashboardUid: OPERATIONS, panelTitle: 'Pending requests', kind: 'feature', reason: CONSULTATIONS },
  {
    dashboardUid: OPERATIONS,
    panelTitle: 'Providers available by specialty',
    kind: 'feature',
    reason: 'provider availability routes have not landed',
  },
  {
    dashboardUid: OPERATIONS,
    panelTitle: 'Uptime during critical hours',
    kind: 'unstable',
    reason:
      'a [1h:1m] subquery filtered on hour() 07-22 UTC: empty at night, and empty until a minute boundary ' +
      'falls inside the few seconds of history the test has',
  },
  { dashboardUid: AUDIT, panelTitle: 'Access rate by role and action', kind: 'feature', reason: AUDITED },
  { dashboardUid: AUDIT, panelTitle: 'Denied access', kind: 'feature', reason: AUDITED },
  { dashboardUid: AUDIT, panelTitle: 'Break-glass access', kind: 'feature', reason: AUDITED },
  { dashboardUid: AUDIT, panelTitle: 'Logins by method and result', kind: 'feature', reason: AUTH },
  { dashboardUid: AUDIT, panelTitle: 'MFA and token refreshes', kind: 'feature', reason: AUTH },
  {
    dashboardUid: AUDIT,
    panelTitle: 'Lockouts and refresh-token reuse',
    refId: 'A',
    kind: 'feature',
    reason: AUTH,
  },
  {
    dashboardUid: STORES,
    panelTitle: 'Cache latency',
    kind: 'feature',
    reason: 'no route reads or writes the cache yet (readiness only pings it, which is not timed)',
  },
  {
    dashboardUid: STORES,
    panelTitle: 'Cache hit ratio',
    kind: 'feature',
    reason: 'no route reads the cache yet',
  },
  {
    dashboardUid: STORES,
    panelTitle: 'Circuit breakers',
    kind: 'feature',
    reason: 'no circuit breaker exists yet (platform/breaker.ts)',
  },
  { dashboardUid: SLO, panelTitle: 'Error budget left (30 days)', kind: 'fault', reason: NO_5XX },
  { dashboardUid: SLO, panelTitle: 'Current burn rate', kind: 'fault', reason: NO_5XX },
  { dashboardUid: SLO, panelTitle: 'Burn rate by window', kind: 'fault', reason: NO_5XX },
  { dashboardUid: SLO, panelTitle: 'Availability', kind: 'fault', reason: NO_5XX },
  {
    dashboardUid: SLO,
    panelTitle: 'Critical operations under 2 s',
    kind: 'feature',
    reason: `${CONSULTATIONS}; ${PRESCRIPTIONS}`,
  },
];
