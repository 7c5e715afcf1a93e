// The metrics the service promises to expose (DESIGN.md section 6 and the observability contract).
// Dashboards and rules may read only these, Prometheus' own `up`, and our recording rules: a test
// fails on any other name, so a typo cannot ship as an empty panel or a silent alert.

const HISTOGRAMS = [
  'http_server_request_duration_seconds',
  'carewatch_db_pool_acquire_duration_seconds',
  'carewatch_db_query_duration_seconds',
  'carewatch_db_read_batch_size',
  'carewatch_audit_commit_batch_size',
  'carewatch_cache_operation_duration_seconds',
  'carewatch_consultation_time_to_acceptance_seconds',
  'carewatch_provider_response_seconds',
];

const OTHERS = [
  'up',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'carewatch_memory_limit_bytes',
  'process_start_time_seconds',
  'nodejs_heap_size_used_bytes',
  'nodejs_heap_size_total_bytes',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_eventloop_lag_seconds',
  'carewatch_db_pool_connections',
  'carewatch_db_pool_waiting_requests',
  'carewatch_db_pool_max_connections',
  'carewatch_db_pool_acquire_timeouts_total',
  'carewatch_db_errors_total',
  'carewatch_db_replica_lag_seconds',
  'carewatch_db_replica_in_rotation',
  'carewatch_db_routed_reads_total',
  'carewatch_cache_requests_total',
  'carewatch_cache_unconfirmed_changes_total',
  'carewatch_redis_up',
  'carewatch_redis_reconnections_total',
  'carewatch_redis_failovers_total',
  'carewatch_redis_command_errors_total',
  'carewatch_redis_degraded_operations_total',
  'carewatch_ready',
  'carewatch_circuit_breaker_state',
  'carewatch_errors_unhandled_total',
  'carewatch_auth_logins_total',
  'carewatch_auth_mfa_verifications_total',
  'carewatch_auth_token_refreshes_total',
  'carewatch_auth_refresh_reuse_detected_total',
  'carewatch_auth_lockouts_total',
  'carewatch_auth_active_sessions',
  'carewatch_audit_events_total',
  'carewatch_audit_write_failures_total',
  'carewatch_audit_sealer_lag_seconds',
  'carewatch_audit_unsealed_events',
  'carewatch_audit_last_verification_success',
  'carewatch_audit_last_verification_timestamp_seconds',
  'carewatch_consultation_transitions_total',
  'carewatch_consultation_operations_total',
  'carewatch_providers_available',
  'carewatch_consultation_requests_pending',
  'carewatch_consultation_oldest_waiting_seconds',
  'carewatch_prescription_operations_total',
  'carewatch_in_critical_period',
  'carewatch_clinic_utc_offset_seconds',
];

/**
 * Well-known exporters' metrics the rules and dashboards may read about Carewatch's own objects
 * (kube-state-metrics for the autoscaler). They come from another job, so their selectors name the
 * Carewatch object instead of job="carewatch".
 */
export const EXTERNAL_METRICS: ReadonlyMap<string, string> = new Map([
  ['kube_horizontalpodautoscaler_status_current_replicas', 'kube-state-metrics'],
  ['kube_horizontalpodautoscaler_spec_max_replicas', 'kube-state-metrics'],
]);

/** Every series name the service and Prometheus expose, histograms expanded to their series. */
export const CONTRACT_METRIC_NAMES: ReadonlySet<string> = new Set([
  ...OTHERS,
  ...EXTERNAL_METRICS.keys(),
  ...HISTOGRAMS.flatMap((h) => [`${h}_bucket`, `${h}_count`, `${h}_sum`]),
]);
