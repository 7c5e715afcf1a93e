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
const OVERVIEW = 'carewatch-service-overview';
const DATA_STORES = 'carewatch-data-stores';

const NO_5XX =
  'a labelled counter has no 5xx series until the first 5xx, and per route there is no zero to fall back ' +
  'on (the availability SLI and panel use `or vector(0)`: their total has no route)';

const entry =
  (kind: EmptyPanelExpectation['kind']) =>
  (dashboardUid: string, panelTitle: string, reason: string, refId?: string): EmptyPanelExpectation =>
    refId === undefined
      ? { dashboardUid, panelTitle, kind, reason }
      : { dashboardUid, panelTitle, refId, kind, reason };
const feature = entry('feature');
const fault = entry('fault');

const NO_REPLICAS =
  'the observed service runs without read replicas (DATABASE_REPLICA_URLS); read-replicas.test.ts runs ' +
  'them against a real streaming replica';
const unstable = entry('unstable');

export const EXPECTED_EMPTY_PANELS: readonly EmptyPanelExpectation[] = [
  fault(OVERVIEW, 'Server error ratio by route', NO_5XX),
  feature(DATA_STORES, 'Replica lag', NO_REPLICAS),
  feature(DATA_STORES, 'Replicas in rotation', NO_REPLICAS),
  fault(
    DATA_STORES,
    'Work done without Redis',
    'counted by operation only while Redis is unreachable, and the workload runs with Redis up',
  ),
  // A plain `npm test` runs without TEST_REDIS_URL, and so does the observed service.
  ...(process.env.TEST_REDIS_URL
    ? []
    : [
        feature(
          DATA_STORES,
          'Redis available',
          'carewatch_redis_up exists only where Redis is configured, and this run has no TEST_REDIS_URL',
        ),
      ]),
  unstable(
    OPERATIONS,
    'Critical-hours availability, last 30 days',
    'a recording rule sampled once a minute, only inside critical hours: empty at night in CLINIC_TIMEZONE, ' +
      'and empty until the rule has been evaluated inside the few seconds of history the test has',
  ),
];
