import { JOB_MATCHER, defineAlert } from './conventions';
import { TARGET_LABELS, constant, counter, series } from './test-series';
import { SCALE_OUT_GROUP } from './scale-out';
import type { AlertRule, InputSeries, RuleFile } from './types';

const JOB_ONLY = { job: TARGET_LABELS.job };

// Platform alerts: the process, its dependencies and its runtime. Owned by SRE.

/** Pool usage above which new queries start to queue behind each other. */
export const POOL_SATURATION_RATIO = 0.9;
export const CACHE_HIT_RATIO_MIN = 0.9;
/** Below this many lookups a second a low hit ratio is noise (cold start, a quiet night). */
export const CACHE_MIN_REQUESTS_PER_SECOND = 0.1;
/** The event loop lag at which request latency visibly suffers (p99 over prom-client's window). */
export const EVENT_LOOP_LAG_SECONDS = 0.2;
/**
 * Share of its own memory limit (the container's, as the service reads it from its cgroup) above which
 * an instance is close to being OOM-killed.
 */
export const MEMORY_WARNING_RATIO = 0.9;
/** The staging chart's container limit, for the alert's test cases. */
const MEMORY_LIMIT_CASE_BYTES = 512 * 1024 * 1024;

/** Share of a job's targets down (kubernetes-mixin's TargetDown) that makes a ticket. */
export const TARGETS_DOWN_PERCENT = 10;

/** `up` of `count` targets, the first `down` of them failing, for `minutes` minutes. */
function targetsInput(count: number, down: number, minutes = 30): InputSeries[] {
  return Array.from({ length: count }, (_, i) =>
    series('up', constant(i < down ? 0 : 1, minutes), { instance: `carewatch-${i}:9464` }),
  );
}

// One pod down is context, not a page: the Deployment replaces it and the others serve. It stays as an
// info alert because it inhibits the symptoms the same instance shows.
const instanceDown = defineAlert({
  name: 'CarewatchInstanceDown',
  expr: `up{${JOB_MATCHER}} == 0`,
  for: '2m',
  severity: 'info',
  team: 'sre',
  summary: 'A Carewatch instance cannot be scraped by Prometheus.',
  description:
    'Prometheus has failed to scrape {{ $labels.instance }} of job {{ $labels.job }} for 2 minutes.',
  cases: {
    fires: {
      input: [series('up', constant(0, 10))],
      evalTime: '5m',
      expect: [{ labels: { ...TARGET_LABELS }, value: '0' }],
    },
    quiet: { why: 'the target is up', input: [series('up', constant(1, 10))], evalTime: '5m' },
  },
});

const targetsDown = defineAlert({
  name: 'CarewatchTargetsDown',
  expr: `100 * count by (job) (up{${JOB_MATCHER}} == 0)\n/ count by (job) (up{${JOB_MATCHER}})\n> ${TARGETS_DOWN_PERCENT}`,
  for: '10m',
  severity: 'warning',
  team: 'sre',
  summary: 'A share of the Carewatch targets cannot be scraped.',
  description: '{{ $value | humanize }}% of the {{ $labels.job }} targets have been down for 10 minutes.',
  cases: {
    fires: { input: targetsInput(4, 1), evalTime: '15m', expect: [{ labels: JOB_ONLY, value: '25' }] },
    quiet: {
      why: 'one target of twenty (5 %) is below the share',
      input: targetsInput(20, 1),
      evalTime: '15m',
    },
  },
});

const noTargetUp = defineAlert({
  name: 'CarewatchNoTargetUp',
  expr: `max by (job) (up{${JOB_MATCHER}}) == 0`,
  for: '2m',
  severity: 'critical',
  team: 'sre',
  summary: 'No Carewatch instance can be scraped: the service is down.',
  description: 'None of the {{ $labels.job }} targets has been up for 2 minutes.',
  cases: {
    fires: { input: targetsInput(3, 3), evalTime: '5m', expect: [{ labels: JOB_ONLY, value: '0' }] },
    quiet: { why: 'one target of three still serves', input: targetsInput(3, 2), evalTime: '5m' },
  },
});

const targetsMissing = defineAlert({
  name: 'CarewatchTargetsMissing',
  // absent() is the only signal when the targets themselves disappear (Deployment deleted, scaled to 0,
  // ServiceMonitor or relabelling broken): up == 0 needs a target to exist.
  expr: `absent(up{${JOB_MATCHER}})`,
  for: '5m',
  severity: 'critical',
  team: 'sre',
  summary: 'Prometheus has no Carewatch target at all.',
  description: 'No target of job {{ $labels.job }} has been discovered for 5 minutes (absent: {{ $value }}).',
  cases: {
    fires: {
      input: [series('up', '1x5 _x20')],
      evalTime: '20m',
      expect: [{ labels: JOB_ONLY, value: '1' }],
    },
    quiet: {
      why: 'a target exists, even a failing one',
      input: [series('up', constant(0, 20))],
      evalTime: '15m',
    },
  },
});

const watchdog = defineAlert({
  name: 'CarewatchWatchdog',
  // Always firing: the dead man's switch receiving it every minute proves that rules are evaluated and
  // notifications delivered; its silence is the page.
  expr: 'vector(1)',
  severity: 'none',
  team: 'sre',
  summary: 'The alerting pipeline is alive; this alert always fires.',
  description: "Heartbeat for the dead man's switch (value {{ $value }}).",
  cases: { fires: { input: [], evalTime: '1m', expect: [{ labels: {}, value: '1' }] } },
});

const poolSaturated = defineAlert({
  name: 'CarewatchDbPoolSaturated',
  expr:
    `sum by (job, instance) (carewatch_db_pool_connections{${JOB_MATCHER}, state="in_use"})\n` +
    `/ on (job, instance)\nmax by (job, instance) (carewatch_db_pool_max_connections{${JOB_MATCHER}})\n> ${POOL_SATURATION_RATIO}`,
  for: '5m',
  severity: 'warning',
  team: 'sre',
  summary: 'The database connection pool of an instance is nearly exhausted.',
  description:
    '{{ $labels.instance }} is using {{ $value | humanizePercentage }} of its database pool connections.',
  cases: {
    fires: {
      input: [
        series('carewatch_db_pool_connections', constant(19, 15), { state: 'in_use' }),
        series('carewatch_db_pool_max_connections', constant(20, 15)),
      ],
      evalTime: '10m',
      expect: [{ labels: { ...TARGET_LABELS }, value: '95%' }],
    },
    quiet: {
      why: 'half of the pool in use is healthy',
      input: [
        series('carewatch_db_pool_connections', constant(10, 15), { state: 'in_use' }),
        series('carewatch_db_pool_max_connections', constant(20, 15)),
      ],
      evalTime: '10m',
    },
  },
});

/**
 * The look-ups whose hit ratio measures a cache. `read_your_writes` also goes through the cache's get, but a
 * miss is its normal answer (no recent write); `session_local` and `provider_profile_local` are 10 s first
 * levels, and `provider_profile` a 60 s one read by a provider a few times an hour, whose ratios follow how
 * closely a caller's requests follow each other: none of them says the cache is failing.
 */
export const HIT_RATIO_CACHES = ['session', 'external_jwks'] as const;
/** A selector fragment for those caches, to put inside `{...}`. */
export const HIT_RATIO_CACHE_MATCHER = `cache=~"${HIT_RATIO_CACHES.join('|')}"`;

function cacheRate(result?: string): string {
  const matchers = [
    JOB_MATCHER,
    HIT_RATIO_CACHE_MATCHER,
    ...(result === undefined ? [] : [`result="${result}"`]),
  ];
  return `sum by (job, cache) (rate(carewatch_cache_requests_total{${matchers.join(', ')}}[10m]))`;
}

function cacheInput(hitsPerMinute: number, missesPerMinute: number, cache = 'session'): InputSeries[] {
  return [
    series('carewatch_cache_requests_total', counter(hitsPerMinute, 40), { cache, result: 'hit' }),
    series('carewatch_cache_requests_total', counter(missesPerMinute, 40), { cache, result: 'miss' }),
  ];
}

const cacheHitRatioLow = defineAlert({
  name: 'CarewatchCacheHitRatioLow',
  expr: `(${cacheRate('hit')}\n/\n${cacheRate()})\n< ${CACHE_HIT_RATIO_MIN}\nand\n${cacheRate()} > ${CACHE_MIN_REQUESTS_PER_SECOND}`,
  for: '15m',
  severity: 'warning',
  team: 'sre',
  summary: 'A cache serves less than 90 % of lookups from memory.',
  description:
    'Cache {{ $labels.cache }} has a hit ratio of {{ $value | humanizePercentage }} over the last 10 minutes.',
  cases: {
    fires: {
      input: cacheInput(60, 60),
      evalTime: '30m',
      expect: [{ labels: { job: TARGET_LABELS.job, cache: 'session' }, value: '50%' }],
    },
    quiet: { why: 'a 95 % hit ratio is above the floor', input: cacheInput(570, 30), evalTime: '30m' },
    more: [
      {
        why: 'read-your-writes markers mostly miss: no recent write is their normal answer',
        input: cacheInput(6, 60, 'read_your_writes'),
        evalTime: '30m',
      },
    ],
  },
});

const breakerOpen = defineAlert({
  name: 'CarewatchCircuitBreakerOpen',
  expr: `max by (job, instance, breaker) (carewatch_circuit_breaker_state{${JOB_MATCHER}}) == 2`,
  for: '1m',
  severity: 'warning',
  team: 'sre',
  summary: 'A circuit breaker is open and calls to its dependency are being refused.',
  description: 'Breaker {{ $labels.breaker }} on {{ $labels.instance }} has been open for over a minute.',
  cases: {
    fires: {
      input: [series('carewatch_circuit_breaker_state', constant(2, 10), { breaker: 'identity_provider' })],
      evalTime: '5m',
      expect: [{ labels: { ...TARGET_LABELS, breaker: 'identity_provider' }, value: '2' }],
    },
    quiet: {
      why: 'half-open (1) is the breaker probing recovery, not an outage',
      input: [series('carewatch_circuit_breaker_state', constant(1, 10), { breaker: 'identity_provider' })],
      evalTime: '5m',
    },
  },
});

const eventLoopLag = defineAlert({
  name: 'CarewatchEventLoopLagHigh',
  expr: `nodejs_eventloop_lag_p99_seconds{${JOB_MATCHER}} > ${EVENT_LOOP_LAG_SECONDS}`,
  for: '5m',
  severity: 'warning',
  team: 'sre',
  summary: 'The Node.js event loop of an instance is blocked long enough to delay every request.',
  description: 'The p99 event loop lag of {{ $labels.instance }} is {{ $value | humanizeDuration }}.',
  cases: {
    fires: {
      input: [series('nodejs_eventloop_lag_p99_seconds', constant(0.5, 15))],
      evalTime: '10m',
      expect: [{ labels: { ...TARGET_LABELS }, value: '500ms' }],
    },
    quiet: {
      why: '20 ms of lag is normal',
      input: [series('nodejs_eventloop_lag_p99_seconds', constant(0.02, 15))],
      evalTime: '10m',
    },
  },
});

function memoryInput(residentBytes: number): ReturnType<typeof series>[] {
  return [
    series('process_resident_memory_bytes', constant(residentBytes, 20)),
    series('carewatch_memory_limit_bytes', constant(MEMORY_LIMIT_CASE_BYTES, 20)),
  ];
}

const memoryHigh = defineAlert({
  name: 'CarewatchMemoryHigh',
  expr:
    `process_resident_memory_bytes{${JOB_MATCHER}}\n` +
    `/ on (job, instance)\ncarewatch_memory_limit_bytes{${JOB_MATCHER}}\n> ${MEMORY_WARNING_RATIO}`,
  for: '10m',
  severity: 'warning',
  team: 'sre',
  summary: 'An instance is close to its memory limit and at risk of being OOM-killed.',
  description: '{{ $labels.instance }} is using {{ $value | humanizePercentage }} of its memory limit.',
  cases: {
    fires: {
      input: memoryInput(480 * 1024 * 1024),
      evalTime: '15m',
      expect: [{ labels: { ...TARGET_LABELS }, value: '93.75%' }],
    },
    quiet: {
      why: '86 % of the limit is below the 90 % threshold',
      input: memoryInput(440 * 1024 * 1024),
      evalTime: '15m',
    },
  },
});

/** Unexpected errors (500s, stray rejections) in 15 minutes that make a ticket: each one is a bug. */
export const UNHANDLED_ERRORS_MIN = 5;

const unhandledErrors = defineAlert({
  name: 'CarewatchUnhandledErrors',
  expr: `sum by (job, kind) (increase(carewatch_errors_unhandled_total{${JOB_MATCHER}}[15m])) >= ${UNHANDLED_ERRORS_MIN}`,
  severity: 'warning',
  team: 'sre',
  summary: 'The service is failing with unexpected errors.',
  description: '{{ $value | humanize }} unexpected {{ $labels.kind }} errors in the last 15 minutes.',
  cases: {
    fires: {
      input: [series('carewatch_errors_unhandled_total', counter(1, 30), { kind: 'request' })],
      evalTime: '20m',
      expect: [{ labels: { ...JOB_ONLY, kind: 'request' }, value: '15' }],
    },
    quiet: {
      why: 'one error in 15 minutes is below the floor',
      input: [series('carewatch_errors_unhandled_total', '0x10 1x20', { kind: 'request' })],
      evalTime: '20m',
    },
  },
});

const poolWaiters = defineAlert({
  name: 'CarewatchDbPoolWaiters',
  expr: `max by (job, instance) (carewatch_db_pool_waiting_requests{${JOB_MATCHER}}) > 0`,
  for: '5m',
  severity: 'warning',
  team: 'sre',
  summary: 'Requests are queueing for a database connection.',
  description:
    '{{ $value }} requests on {{ $labels.instance }} have been waiting for a database connection for 5 minutes.',
  cases: {
    fires: {
      input: [series('carewatch_db_pool_waiting_requests', constant(3, 15))],
      evalTime: '10m',
      expect: [{ labels: { ...TARGET_LABELS }, value: '3' }],
    },
    quiet: {
      why: 'a moment of waiting is normal',
      input: [series('carewatch_db_pool_waiting_requests', '0x5 2 0x10')],
      evalTime: '10m',
    },
  },
});

const HPA = 'horizontalpodautoscaler="carewatch"';

/** kube-state-metrics' view of the carewatch autoscaler: `current` replicas of a maximum of 10. */
function hpaInput(current: number): InputSeries[] {
  const labels = `${HPA}, namespace="carewatch"`;
  return [
    {
      series: `kube_horizontalpodautoscaler_status_current_replicas{${labels}}`,
      values: constant(current, 30),
    },
    { series: `kube_horizontalpodautoscaler_spec_max_replicas{${labels}}`, values: constant(10, 30) },
  ];
}

const autoscalerAtMax = defineAlert({
  name: 'CarewatchAutoscalerAtMaximum',
  expr: `max by (namespace) (kube_horizontalpodautoscaler_status_current_replicas{${HPA}})\n>= on (namespace)\nmax by (namespace) (kube_horizontalpodautoscaler_spec_max_replicas{${HPA}})`,
  for: '15m',
  severity: 'warning',
  team: 'sre',
  summary: 'The autoscaler is at its maximum replica count and cannot add capacity.',
  description:
    'The carewatch autoscaler in {{ $labels.namespace }} has run {{ $value }} replicas, its maximum, for 15 minutes.',
  cases: {
    fires: {
      input: hpaInput(10),
      evalTime: '20m',
      expect: [{ labels: { namespace: 'carewatch' }, value: '10' }],
    },
    quiet: { why: 'headroom is left', input: hpaInput(6), evalTime: '20m' },
  },
});

export const PLATFORM_ALERTS: AlertRule[] = [
  unhandledErrors,
  poolWaiters,
  autoscalerAtMax,
  watchdog,
  targetsMissing,
  noTargetUp,
  targetsDown,
  instanceDown,
  poolSaturated,
  cacheHitRatioLow,
  breakerOpen,
  eventLoopLag,
  memoryHigh,
];

export const PLATFORM_RULES: RuleFile = {
  name: 'platform',
  groups: [{ name: 'carewatch-platform', rules: PLATFORM_ALERTS }, SCALE_OUT_GROUP],
};
