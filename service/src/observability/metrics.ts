import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { startAtZero } from './known-series';

export const DB_ERROR_KINDS = ['connection', 'statement_timeout', 'constraint', 'query'] as const;
export const REDIS_ERROR_REASONS = ['unavailable', 'timeout', 'reply', 'other'] as const;

/**
 * A label-less gauge starts at 0; for a fact that is not known yet (no verification has run) 0 would be
 * a false value, so the series is left out of the exposition until the first set().
 */
function undefinedUntilSet(gauge: Gauge): Gauge {
  gauge.remove();
  return gauge;
}

/**
 * Every metric the service exposes, on one registry. Labels are bounded sets (routes are templates,
 * never raw paths; no user, patient or session ids), so a scrape stays cheap and series stay few.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  // promtool's lint refuses gauges named *_total. These three only add up the per-type gauges beside them
  // (nodejs_active_handles, _requests, _resources): sum() of those gives the same number.
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ])
    registry.removeSingleMetric(name);

  const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];
  const waitBuckets = [30, 60, 120, 300, 600, 900, 1800, 3600];
  const registers = [registry];

  /** Gauges read from live objects (the pool) or the database are sampled just before each scrape. */
  const samplers = new Set<() => void | Promise<void>>();

  const metrics = {
    registry,
    samplers,
    async render(): Promise<string> {
      await Promise.all([...samplers].map(async (sample) => sample()));
      return registry.metrics();
    },
    process: {
      memoryLimit: new Gauge({
        name: 'carewatch_memory_limit_bytes',
        help: 'Memory the process may use before it is OOM-killed: its container limit, else system memory.',
        registers,
      }),
    },
    clinic: {
      criticalHours: new Gauge({
        name: 'carewatch_in_critical_period',
        help: "1 while the clinics' local time (CLINIC_TIMEZONE, daylight saving followed) is inside critical hours, else 0.",
        registers,
      }),
      utcOffsetSeconds: new Gauge({
        name: 'carewatch_clinic_utc_offset_seconds',
        help: "The clinics' current local time minus UTC (CLINIC_TIMEZONE), in seconds.",
        registers,
      }),
    },
    http: {
      requestDuration: new Histogram({
        name: 'http_server_request_duration_seconds',
        help: 'Duration of HTTP requests handled by the service, by route template.',
        labelNames: ['method', 'route', 'status_code'] as const,
        buckets: durationBuckets,
        registers,
      }),
    },
    db: {
      poolConnections: new Gauge({
        name: 'carewatch_db_pool_connections',
        help: 'Database pool connections by state.',
        labelNames: ['state'] as const,
        registers,
      }),
      poolWaiting: new Gauge({
        name: 'carewatch_db_pool_waiting_requests',
        help: 'Requests waiting for a database connection.',
        registers,
      }),
      poolMax: new Gauge({
        name: 'carewatch_db_pool_max_connections',
        help: 'Configured maximum size of the database pool.',
        registers,
      }),
      readBatchSize: new Histogram({
        name: 'carewatch_db_read_batch_size',
        help: 'Reads by key sent to the database together in one statement (PHI record reads audited apart).',
        buckets: [1, 2, 4, 8, 16, 32, 64, 100],
        registers,
      }),
      acquireDuration: new Histogram({
        name: 'carewatch_db_pool_acquire_duration_seconds',
        help: 'Time spent waiting to acquire a database connection.',
        buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
        registers,
      }),
      replicaLag: new Gauge({
        name: 'carewatch_db_replica_lag_seconds',
        help: 'Replay lag of each read replica (by index in DATABASE_REPLICA_URLS); -1 while unreachable.',
        labelNames: ['replica'] as const,
        registers,
      }),
      replicaInRotation: new Gauge({
        name: 'carewatch_db_replica_in_rotation',
        help: 'Whether a read replica takes reads (1) or is out of rotation, lagging or unreachable (0).',
        labelNames: ['replica'] as const,
        registers,
      }),
      reads: new Counter({
        name: 'carewatch_db_routed_reads_total',
        help: 'Replica-eligible reads (lists, reports, audit queries) by the server that answered them.',
        labelNames: ['target'] as const,
        registers,
      }),
      errors: new Counter({
        name: 'carewatch_db_errors_total',
        help: 'Failed database calls by kind (connection, statement_timeout, constraint, query); acquire timeouts apart.',
        labelNames: ['kind'] as const,
        registers,
      }),
      acquireTimeouts: new Counter({
        name: 'carewatch_db_pool_acquire_timeouts_total',
        help: 'Requests that gave up waiting for a database connection (DATABASE_POOL_ACQUIRE_TIMEOUT_MS).',
        registers,
      }),
      queryDuration: new Histogram({
        name: 'carewatch_db_query_duration_seconds',
        help: 'Database query duration by kind of statement.',
        labelNames: ['operation'] as const,
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers,
      }),
    },
    cache: {
      requests: new Counter({
        name: 'carewatch_cache_requests_total',
        help: 'Cache look-ups by cache and result (hit or miss).',
        labelNames: ['cache', 'result'] as const,
        registers,
      }),
      operationDuration: new Histogram({
        name: 'carewatch_cache_operation_duration_seconds',
        help: 'Cache operation duration by backend.',
        labelNames: ['backend'] as const,
        buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1],
        registers,
      }),
      unconfirmedChanges: new Counter({
        name: 'carewatch_cache_unconfirmed_changes_total',
        help: "Changes announced to the instances' in-process copies that not every instance confirmed within 0.5 s (stalled or gone; their copies end within 10 s), by cache.",
        labelNames: ['cache'] as const,
        registers,
      }),
    },
    redis: {
      // Absent where no Redis is configured: 0 there would read as an outage to every alert on it.
      up: undefinedUntilSet(
        new Gauge({
          name: 'carewatch_redis_up',
          help: 'Whether the Redis connection is usable (1) or the service runs degraded without it (0).',
          registers,
        }),
      ),
      reconnections: new Counter({
        name: 'carewatch_redis_reconnections_total',
        help: 'Times the Redis connection became usable again after a loss (restart, failover, network).',
        registers,
      }),
      failovers: new Counter({
        name: 'carewatch_redis_failovers_total',
        help: 'Times the Redis connection came back on another server than before (a Sentinel or managed failover).',
        registers,
      }),
      commandErrors: new Counter({
        name: 'carewatch_redis_command_errors_total',
        help: 'Redis commands that failed, by reason (unavailable, timeout, reply, other).',
        labelNames: ['reason'] as const,
        registers,
      }),
      degradedOperations: new Counter({
        name: 'carewatch_redis_degraded_operations_total',
        help: 'Operations that went without Redis because it was unreachable, by operation (cache get, set, delete; publish; rate_limit_flush).',
        labelNames: ['operation'] as const,
        registers,
      }),
    },
    health: {
      // Absent until a health check (the load balancer's, the kubelet's) has asked: nobody routes by it then.
      ready: undefinedUntilSet(
        new Gauge({
          name: 'carewatch_ready',
          help: 'What /readyz last answered a health check: 1 for 200 (degraded included), 0 for 503.',
          registers,
        }),
      ),
    },
    breakers: {
      state: new Gauge({
        name: 'carewatch_circuit_breaker_state',
        help: 'Circuit breaker state: 0 closed, 1 half open, 2 open.',
        labelNames: ['breaker'] as const,
        registers,
      }),
    },
    errors: {
      unhandled: new Counter({
        name: 'carewatch_errors_unhandled_total',
        help: 'Unexpected errors, by where they surfaced.',
        labelNames: ['kind'] as const,
        registers,
      }),
    },
    auth: {
      logins: new Counter({
        name: 'carewatch_auth_logins_total',
        help: 'Login attempts by method and result.',
        labelNames: ['method', 'result'] as const,
        registers,
      }),
      mfaVerifications: new Counter({
        name: 'carewatch_auth_mfa_verifications_total',
        help: 'MFA verifications by result.',
        labelNames: ['result'] as const,
        registers,
      }),
      tokenRefreshes: new Counter({
        name: 'carewatch_auth_token_refreshes_total',
        help: 'Refresh token exchanges by result.',
        labelNames: ['result'] as const,
        registers,
      }),
      refreshReuseDetected: new Counter({
        name: 'carewatch_auth_refresh_reuse_detected_total',
        help: 'Reuse of an already rotated refresh token (the token family is revoked).',
        registers,
      }),
      lockouts: new Counter({
        name: 'carewatch_auth_lockouts_total',
        help: 'Lockouts by scope (account or source address).',
        labelNames: ['scope'] as const,
        registers,
      }),
      activeSessions: new Gauge({
        name: 'carewatch_auth_active_sessions',
        help: 'Sessions that are neither revoked nor expired.',
        registers,
      }),
    },
    audit: {
      events: new Counter({
        name: 'carewatch_audit_events_total',
        help: 'Audit events written, by action, outcome and actor role.',
        labelNames: ['action', 'outcome', 'actor_role'] as const,
        registers,
      }),
      writeFailures: new Counter({
        name: 'carewatch_audit_write_failures_total',
        help: 'Audit events that could not be written (the request was refused).',
        registers,
      }),
      commitBatchSize: new Histogram({
        name: 'carewatch_audit_commit_batch_size',
        help: 'Audit events written together in one group-committed statement (with the records they read, for audited reads).',
        buckets: [1, 2, 4, 8, 16, 32, 64, 100],
        registers,
      }),
      sealerLagSeconds: new Gauge({
        name: 'carewatch_audit_sealer_lag_seconds',
        help: 'Age of the oldest audit event not yet sealed into the hash chain.',
        registers,
      }),
      unsealedEvents: new Gauge({
        name: 'carewatch_audit_unsealed_events',
        help: 'Audit events not yet sealed into the hash chain.',
        registers,
      }),
      lastVerificationSuccess: undefinedUntilSet(
        new Gauge({
          name: 'carewatch_audit_last_verification_success',
          help: '1 when the latest verification of the audit chain (by any instance) passed, 0 when it found tampering.',
          registers,
        }),
      ),
      lastVerificationTimestamp: undefinedUntilSet(
        new Gauge({
          name: 'carewatch_audit_last_verification_timestamp_seconds',
          help: 'When the latest verification of the audit chain (by any instance) ended (Unix time).',
          registers,
        }),
      ),
    },
    consultations: {
      transitions: new Counter({
        name: 'carewatch_consultation_transitions_total',
        help: 'Consultation status changes, by new status and specialty.',
        labelNames: ['to_status', 'specialty'] as const,
        registers,
      }),
      operations: new Counter({
        name: 'carewatch_consultation_operations_total',
        help: 'Consultation operations by result.',
        labelNames: ['operation', 'result'] as const,
        registers,
      }),
      timeToAcceptance: new Histogram({
        name: 'carewatch_consultation_time_to_acceptance_seconds',
        help: 'Time from a consultation request to its acceptance by a provider.',
        labelNames: ['specialty'] as const,
        buckets: waitBuckets,
        registers,
      }),
      providerResponse: new Histogram({
        name: 'carewatch_provider_response_seconds',
        help: 'Time from acceptance to the start of the consultation.',
        labelNames: ['specialty'] as const,
        buckets: waitBuckets,
        registers,
      }),
      providersAvailable: new Gauge({
        name: 'carewatch_providers_available',
        help: 'Providers currently available, by specialty.',
        labelNames: ['specialty'] as const,
        registers,
      }),
      requestsPending: new Gauge({
        name: 'carewatch_consultation_requests_pending',
        help: 'Consultation requests waiting for a provider, by specialty.',
        labelNames: ['specialty'] as const,
        registers,
      }),
      oldestWaiting: new Gauge({
        name: 'carewatch_consultation_oldest_waiting_seconds',
        help: 'Age of the oldest consultation request still waiting for a provider, by specialty (0: none waits).',
        labelNames: ['specialty'] as const,
        registers,
      }),
    },
    prescriptions: {
      operations: new Counter({
        name: 'carewatch_prescription_operations_total',
        help: 'Prescription operations by result.',
        labelNames: ['operation', 'result'] as const,
        registers,
      }),
    },
    mail: {
      messages: new Counter({
        name: 'carewatch_mail_messages_total',
        help: 'Outbox messages the mail worker handled, by topic and result (sent, retried, failed).',
        labelNames: ['topic', 'result'] as const,
        registers,
      }),
      pending: new Gauge({
        name: 'carewatch_mail_messages_pending',
        help: 'Outbox messages still to deliver (retries included), by topic.',
        labelNames: ['topic'] as const,
        registers,
      }),
    },
  };
  // The kinds are this module's own; features create their counters' label combinations where they live.
  startAtZero(metrics.errors.unhandled, { kind: ['process', 'request'] });
  startAtZero(metrics.db.errors, { kind: DB_ERROR_KINDS });
  startAtZero(metrics.redis.commandErrors, { reason: REDIS_ERROR_REASONS });
  metrics.db.acquireTimeouts.inc(0);
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
