import { OLDEST_WAITING_PAGE_SECONDS } from '../../alerts/src/patient-safety';
import { PAGE_WINDOWS } from '../../alerts/src/slo-rules';
import { EVENT_LOOP_LAG_SECONDS, POOL_SATURATION_RATIO } from '../../alerts/src/platform';
import { REDIS_FAILOVERS_PER_HOUR, REPLICA_LAG_ALERT_SECONDS } from '../../alerts/src/scale-out';

// Panel thresholds come from the same typed constants as the alerts, so a panel turns red exactly where
// a page or a ticket starts. The lint checks every panel that reads an alert's metric against this list.

export type ThresholdColor = 'orange' | 'red';

export interface ThresholdStep {
  readonly value: number;
  readonly color: ThresholdColor;
}

const [fastBurn, slowBurn] = PAGE_WINDOWS;

export const THRESHOLDS = {
  poolSaturation: [{ value: POOL_SATURATION_RATIO, color: 'red' }],
  eventLoopLag: [{ value: EVENT_LOOP_LAG_SECONDS, color: 'red' }],
  oldestWaiting: [{ value: OLDEST_WAITING_PAGE_SECONDS, color: 'red' }],
  replicaLag: [{ value: REPLICA_LAG_ALERT_SECONDS, color: 'red' }],
  redisFailovers: [{ value: REDIS_FAILOVERS_PER_HOUR, color: 'red' }],
  burnRate: [
    { value: slowBurn!.factor, color: 'orange' },
    { value: fastBurn!.factor, color: 'red' },
  ],
} as const satisfies Record<string, readonly ThresholdStep[]>;

/** A panel whose expression reads `reads` must carry these steps (the alert on it fires there). */
export interface ThresholdContract {
  readonly reads: RegExp;
  readonly steps: readonly ThresholdStep[];
  /** The alert that fires at these steps: the panel links its runbook. */
  readonly alert?: string;
}

// The burn-rate panel shows every SLO at once, so it has no single alert (each SLO's burn alert has its own).
export const THRESHOLD_CONTRACTS: readonly ThresholdContract[] = [
  {
    reads: /carewatch_db_pool_connections\{[^}]*state="in_use"/,
    steps: THRESHOLDS.poolSaturation,
    alert: 'CarewatchDbPoolSaturated',
  },
  {
    reads: /nodejs_eventloop_lag_p99_seconds/,
    steps: THRESHOLDS.eventLoopLag,
    alert: 'CarewatchEventLoopLagHigh',
  },
  {
    reads: /carewatch_consultation_oldest_waiting_seconds/,
    steps: THRESHOLDS.oldestWaiting,
    alert: 'CarewatchPatientWaitingLong',
  },
  { reads: /slo:sli_error:ratio_rate\w+[^/]*\/[^/]*slo:error_budget:ratio/, steps: THRESHOLDS.burnRate },
  {
    reads: /carewatch_db_replica_lag_seconds/,
    steps: THRESHOLDS.replicaLag,
    alert: 'CarewatchDbReplicaLagHigh',
  },
  {
    reads: /carewatch_redis_failovers_total/,
    steps: THRESHOLDS.redisFailovers,
    alert: 'CarewatchRedisFailoversFrequent',
  },
  // These alerts fire when a value drops to 0 or below a floor, which a step above the green base cannot
  // draw: their panels colour the bad value by mapping instead, and still link the runbook.
  { reads: /carewatch_db_replica_in_rotation/, steps: [], alert: 'CarewatchDbReplicaOutOfRotation' },
  { reads: /carewatch_db_pool_acquire_timeouts_total/, steps: [], alert: 'CarewatchDbPoolAcquireTimeouts' },
  { reads: /carewatch_redis_up/, steps: [], alert: 'CarewatchRedisUnavailable' },
  { reads: /carewatch_ready/, steps: [], alert: 'CarewatchFewInstancesReady' },
];

/** The contracts a panel's targets read, i.e. the alerts that fire on what it shows. */
export function contractsOf(exprs: readonly string[]): ThresholdContract[] {
  return THRESHOLD_CONTRACTS.filter((c) => exprs.some((e) => c.reads.test(e)));
}
