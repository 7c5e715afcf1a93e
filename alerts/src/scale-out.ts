import { JOB_MATCHER, defineAlert } from './conventions';
import { TARGET_LABELS, constant, counterSegments, series } from './test-series';
import type { AlertRule, InputSeries, RuleGroup } from './types';

// Alerts on what running several instances adds (issue 15): read replicas, the pool in front of a
// pooler, Redis behind Sentinel, and instances behind a load balancer. Owned by SRE.

const JOB_ONLY = { job: TARGET_LABELS.job };

/**
 * Replay lag at which a replica is broken rather than busy: ten times REPLICA_MAX_LAG_MS's default, so
 * the replica has long left rotation and reads are on the primary, but replication itself needs a look.
 */
export const REPLICA_LAG_ALERT_SECONDS = 60;
/** Pool acquire timeouts (each one a 503 database_busy) in 10 minutes that make a ticket. */
export const POOL_ACQUIRE_TIMEOUTS_MIN = 5;
/** Redis failovers in an hour that are no longer maintenance but a node or network that keeps failing. */
export const REDIS_FAILOVERS_PER_HOUR = 3;
/** Fewer instances than this behind the balancer, out of several running: one more loss is an outage. */
export const READY_INSTANCES_MIN = 2;

const lag = (seconds: number, replica = '0') =>
  series('carewatch_db_replica_lag_seconds', constant(seconds, 20), { replica });
const inRotation = (values: string, replica = '0') =>
  series('carewatch_db_replica_in_rotation', values, { replica });

const replicaLagHigh = defineAlert({
  name: 'CarewatchDbReplicaLagHigh',
  // -1 (unreachable) stays below any threshold: CarewatchDbReplicaOutOfRotation covers it.
  expr: `max by (job, replica) (carewatch_db_replica_lag_seconds{${JOB_MATCHER}}) > ${REPLICA_LAG_ALERT_SECONDS}`,
  for: '10m',
  severity: 'warning',
  team: 'sre',
  summary: 'A read replica has fallen far behind the primary.',
  description:
    'Replica {{ $labels.replica }} (index in DATABASE_REPLICA_URLS) replays {{ $value | humanizeDuration }} behind the primary.',
  cases: {
    fires: {
      input: [lag(300)],
      evalTime: '15m',
      expect: [{ labels: { ...JOB_ONLY, replica: '0' }, value: '5m 0s' }],
    },
    quiet: { why: 'one second of lag is streaming replication at work', input: [lag(1)], evalTime: '15m' },
    more: [{ why: 'an unreachable replica reports -1, which is not lag', input: [lag(-1)], evalTime: '15m' }],
  },
});

const replicaOutOfRotation = defineAlert({
  name: 'CarewatchDbReplicaOutOfRotation',
  // max across instances: out only when no instance reads from it (one instance's view is its network).
  expr: `max by (job, replica) (carewatch_db_replica_in_rotation{${JOB_MATCHER}}) == 0`,
  for: '10m',
  severity: 'warning',
  team: 'sre',
  summary: 'A read replica takes no reads: it lags past REPLICA_MAX_LAG_MS or is unreachable.',
  description:
    'No instance has read from replica {{ $labels.replica }} (index in DATABASE_REPLICA_URLS) for 10 minutes; its reads go to the primary.',
  cases: {
    fires: {
      input: [inRotation('1x5 0x20')],
      evalTime: '20m',
      expect: [{ labels: { ...JOB_ONLY, replica: '0' }, value: '0' }],
    },
    quiet: {
      why: 'a few minutes out (a restart, a vacuum replaying) come back by themselves',
      input: [inRotation('1x5 0x3 1x15')],
      evalTime: '20m',
    },
  },
});

const allReplicasOut = defineAlert({
  name: 'CarewatchDbAllReplicasOutOfRotation',
  expr: `max by (job) (carewatch_db_replica_in_rotation{${JOB_MATCHER}}) == 0`,
  for: '5m',
  severity: 'warning',
  team: 'sre',
  summary: 'No read replica takes reads: lists, reports and audit queries all run on the primary.',
  description: 'Every replica of {{ $labels.job }} has been out of rotation for 5 minutes.',
  cases: {
    fires: {
      input: [inRotation('0x15'), inRotation('0x15', '1')],
      evalTime: '10m',
      expect: [{ labels: JOB_ONLY, value: '0' }],
    },
    quiet: {
      why: 'one replica of two still takes the reads',
      input: [inRotation('0x15'), inRotation('1x15', '1')],
      evalTime: '10m',
    },
  },
});

const timeouts = (values: string) => series('carewatch_db_pool_acquire_timeouts_total', values);

const poolAcquireTimeouts = defineAlert({
  name: 'CarewatchDbPoolAcquireTimeouts',
  expr:
    `sum by (job, instance) (increase(carewatch_db_pool_acquire_timeouts_total{${JOB_MATCHER}}[10m]))\n` +
    `>= ${POOL_ACQUIRE_TIMEOUTS_MIN}`,
  severity: 'warning',
  team: 'sre',
  summary: 'Requests are refused with 503 database_busy: no pool connection came within the acquire timeout.',
  description:
    '{{ $value | humanize }} requests on {{ $labels.instance }} gave up waiting for a database connection in 10 minutes.',
  cases: {
    fires: {
      input: [
        timeouts(
          counterSegments([
            [0, 10],
            [2, 10],
          ]),
        ),
      ],
      evalTime: '19m',
      expect: [{ labels: { ...TARGET_LABELS }, value: '18' }],
    },
    quiet: {
      why: 'one timeout in 10 minutes is a burst the retry absorbs',
      input: [timeouts('0x10 1x10')],
      evalTime: '19m',
    },
  },
});

const redisUp = (values: string) => series('carewatch_redis_up', values);

const redisUnavailable = defineAlert({
  name: 'CarewatchRedisUnavailable',
  expr: `min by (job, instance) (carewatch_redis_up{${JOB_MATCHER}}) == 0`,
  for: '5m',
  severity: 'warning',
  team: 'sre',
  summary: 'An instance serves without Redis: degraded, with sessions from PostgreSQL and local rate limits.',
  description: '{{ $labels.instance }} has had no usable Redis connection for 5 minutes.',
  cases: {
    fires: {
      input: [redisUp('1x5 0x15')],
      evalTime: '15m',
      expect: [{ labels: { ...TARGET_LABELS }, value: '0' }],
    },
    quiet: {
      why: 'a Sentinel failover costs seconds, not minutes',
      input: [redisUp('1x5 0 1x15')],
      evalTime: '15m',
    },
  },
});

const failovers = (values: string, instance: string = TARGET_LABELS.instance): InputSeries =>
  series('carewatch_redis_failovers_total', values, { instance });

const redisFailoversFrequent = defineAlert({
  name: 'CarewatchRedisFailoversFrequent',
  // Every instance sees the same failover: max, not sum, counts it once.
  expr: `max by (job) (increase(carewatch_redis_failovers_total{${JOB_MATCHER}}[1h])) >= ${REDIS_FAILOVERS_PER_HOUR}`,
  severity: 'warning',
  team: 'sre',
  summary: 'Redis keeps failing over between its nodes.',
  description:
    'Instances of {{ $labels.job }} followed {{ $value | humanize }} Redis failovers in the last hour.',
  cases: {
    fires: {
      input: [
        failovers('0x10 1x10 2x10 3x10 4x20'),
        failovers('0x10 1x10 2x10 3x10 4x20', 'carewatch-1:9464'),
      ],
      evalTime: '60m',
      expect: [{ labels: JOB_ONLY, value: '4' }],
    },
    quiet: {
      why: 'two failovers in an hour (a planned switch and back), seen by two instances, count as two',
      input: [failovers('0x10 1x20 2x40'), failovers('0x10 1x20 2x40', 'carewatch-1:9464')],
      evalTime: '60m',
    },
  },
});

/** `count` scraped instances, the first `ready` of them behind the balancer. */
function readinessInput(count: number, ready: number): InputSeries[] {
  return Array.from({ length: count }, (_, i) => {
    const instance = `carewatch-${i}:9464`;
    return [
      series('up', constant(1, 20), { instance }),
      series('carewatch_ready', constant(i < ready ? 1 : 0, 20), { instance }),
    ];
  }).flat();
}

const instanceNotReady = defineAlert({
  name: 'CarewatchInstanceNotReady',
  expr: `max by (job, instance) (carewatch_ready{${JOB_MATCHER}}) == 0`,
  for: '10m',
  severity: 'warning',
  team: 'sre',
  summary: 'An instance runs but answers /readyz 503, so the load balancer sends it nothing.',
  description: '{{ $labels.instance }} has been out of the load balancer (not ready) for 10 minutes.',
  cases: {
    fires: {
      input: [series('carewatch_ready', '1x5 0x15')],
      evalTime: '16m',
      expect: [{ labels: { ...TARGET_LABELS }, value: '0' }],
    },
    quiet: {
      why: 'draining before a restart takes seconds',
      input: [series('carewatch_ready', '1x5 0 1x15')],
      evalTime: '16m',
    },
  },
});

const fewInstancesReady = defineAlert({
  name: 'CarewatchFewInstancesReady',
  // Down targets have no carewatch_ready (their series went stale), so the sum counts ready ones only.
  expr:
    `sum by (job) (carewatch_ready{${JOB_MATCHER}}) < ${READY_INSTANCES_MIN}\n` +
    `and on (job)\ncount by (job) (up{${JOB_MATCHER}}) >= ${READY_INSTANCES_MIN}`,
  for: '5m',
  severity: 'critical',
  team: 'sre',
  summary: 'Fewer than two instances stand behind the load balancer: one more loss is an outage.',
  description:
    '{{ $value }} instance(s) of {{ $labels.job }} have been ready behind the load balancer for 5 minutes.',
  cases: {
    fires: { input: readinessInput(3, 1), evalTime: '10m', expect: [{ labels: JOB_ONLY, value: '1' }] },
    quiet: { why: 'two of three instances still serve', input: readinessInput(3, 2), evalTime: '10m' },
    more: [
      {
        why: 'a single-instance deployment never had two',
        input: readinessInput(1, 1),
        evalTime: '10m',
      },
    ],
  },
});

export const SCALE_OUT_ALERTS: AlertRule[] = [
  replicaLagHigh,
  replicaOutOfRotation,
  allReplicasOut,
  poolAcquireTimeouts,
  redisUnavailable,
  redisFailoversFrequent,
  instanceNotReady,
  fewInstancesReady,
];

export const SCALE_OUT_GROUP: RuleGroup = { name: 'carewatch-scale-out', rules: SCALE_OUT_ALERTS };
