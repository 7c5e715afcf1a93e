import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './dashboard';
import { quantileTargets, timeseries } from './panels';
import { gauge, quantile, ratio, sel, sumRate } from './promql';
import { THRESHOLDS } from './thresholds';
import { COUNT_WINDOW } from './windows';

// The database pool, read replicas, queries, Redis, cache and circuit breakers: where a slow request
// usually waits, and what the service runs degraded without.

const BREAKER_MAPPINGS: dashboard.ValueMapping[] = [
  {
    type: dashboard.MappingType.ValueToText,
    options: {
      '0': { text: 'closed', color: 'green', index: 0 },
      '1': { text: 'half open', color: 'yellow', index: 1 },
      '2': { text: 'open', color: 'red', index: 2 },
    },
  },
];

/** A 0/1 gauge shown as words, the 0 in red: a step above a green base cannot colour a value dropping to 0. */
function binaryMappings(zero: string, one: string): dashboard.ValueMapping[] {
  return [
    {
      type: dashboard.MappingType.ValueToText,
      options: {
        '0': { text: zero, color: 'red', index: 0 },
        '1': { text: one, color: 'green', index: 1 },
      },
    },
  ];
}

/** Events of a counter in the last hour, as the instance that saw most of them counted (each sees all). */
const seenByAll = (metric: string) => `max (increase(${sel(metric)}[${COUNT_WINDOW}]))`;

export function dataStores(): dashboard.Dashboard {
  return buildDashboard({
    uid: 'carewatch-data-stores',
    title: 'Carewatch / Data stores',
    description:
      'PostgreSQL pool, read replicas and query times; Redis availability and failovers; cache latency and hit ratio; circuit breakers.',
    tags: ['database', 'cache'],
    rows: [
      {
        title: 'Database pool',
        panels: [
          timeseries({
            title: 'Pool connections',
            description: 'Connections in use and idle, requests waiting for one, and the pool maximum.',
            unit: 'short',
            targets: [
              { expr: gauge('sum', 'carewatch_db_pool_connections', ['state']), legend: '{{state}}' },
              { expr: gauge('sum', 'carewatch_db_pool_waiting_requests'), legend: 'waiting' },
              { expr: gauge('sum', 'carewatch_db_pool_max_connections'), legend: 'max' },
            ],
          }),
          timeseries({
            title: 'Connection acquire time',
            description: 'Time a query waits to get a pool connection; rises before the pool is exhausted.',
            unit: 's',
            targets: quantileTargets((q) => quantile(q, 'carewatch_db_pool_acquire_duration_seconds'), ''),
          }),
          timeseries({
            title: 'Pool acquire timeouts',
            description:
              'Requests per second that waited DATABASE_POOL_ACQUIRE_TIMEOUT_MS for a connection in vain and ' +
              'were answered 503 database_busy, per instance.',
            unit: 'reqps',
            targets: [
              {
                expr: sumRate('carewatch_db_pool_acquire_timeouts_total', ['instance']),
                legend: '{{instance}}',
              },
            ],
          }),
        ],
      },
      {
        title: 'Read replicas',
        panels: [
          timeseries({
            title: 'Replica lag',
            description:
              'Replay lag of each read replica (its index in DATABASE_REPLICA_URLS), the most any instance ' +
              'measured; -1 while unreachable. Above REPLICA_MAX_LAG_MS (5 s by default) it leaves rotation.',
            unit: 's',
            thresholds: THRESHOLDS.replicaLag,
            targets: [
              {
                expr: gauge('max', 'carewatch_db_replica_lag_seconds', ['replica']),
                legend: 'replica {{replica}}',
              },
            ],
          }),
          timeseries({
            title: 'Replicas in rotation',
            description:
              'Whether any instance reads from each replica; out means lagging or unreachable, its reads on the primary.',
            unit: 'short',
            mappings: binaryMappings('out', 'in'),
            targets: [
              {
                expr: gauge('max', 'carewatch_db_replica_in_rotation', ['replica']),
                legend: 'replica {{replica}}',
              },
            ],
          }),
          timeseries({
            title: 'Replica-eligible reads by server',
            description:
              'Lists, reports and audit queries per second by the server that answered: a replica, or the ' +
              'primary (read-your-writes after a write, or no replica in rotation).',
            unit: 'ops',
            targets: [{ expr: sumRate('carewatch_db_routed_reads_total', ['target']), legend: '{{target}}' }],
          }),
        ],
      },
      {
        title: 'Queries',
        panels: [
          timeseries({
            title: 'Query rate by operation',
            description: 'Database queries per second by operation.',
            unit: 'ops',
            targets: [
              {
                expr: sumRate('carewatch_db_query_duration_seconds_count', ['operation']),
                legend: '{{operation}}',
              },
            ],
          }),
          timeseries({
            title: 'Statements shared by requests',
            description:
              'Audit events per group commit (a patient reading their own record included: its read and event ' +
              'share one statement) and other PHI record reads per statement, on average. Under load each ' +
              'statement serves many requests; near 1 at a high request rate, every request pays a statement of its own.',
            unit: 'short',
            targets: [
              {
                expr: ratio(
                  sumRate('carewatch_audit_commit_batch_size_sum'),
                  sumRate('carewatch_audit_commit_batch_size_count'),
                ),
                legend: 'audit events per commit',
              },
              {
                expr: ratio(
                  sumRate('carewatch_db_read_batch_size_sum'),
                  sumRate('carewatch_db_read_batch_size_count'),
                ),
                legend: 'record reads per statement',
              },
            ],
          }),
          ...[0.5, 0.95, 0.99].map((q) =>
            timeseries({
              title: `p${q * 100} query time by operation`,
              description: `The ${q * 100}th percentile of database query duration, by operation.`,
              unit: 's',
              targets: [
                {
                  expr: quantile(q, 'carewatch_db_query_duration_seconds', ['operation']),
                  legend: '{{operation}}',
                },
              ],
            }),
          ),
        ],
      },
      {
        title: 'Redis',
        panels: [
          timeseries({
            title: 'Redis available',
            description:
              'Whether each instance has a usable Redis connection; without one it serves degraded (sessions ' +
              'from PostgreSQL, local rate limits, cache bypassed) and /readyz stays 200.',
            unit: 'short',
            mappings: binaryMappings('degraded', 'up'),
            targets: [{ expr: gauge('min', 'carewatch_redis_up', ['instance']), legend: '{{instance}}' }],
          }),
          timeseries({
            title: 'Redis failovers and reconnections, last hour',
            description:
              'Times the connection came back on another server (a failover) or on the same one (a restart, ' +
              'a network blip) in the last hour, as the instance that saw most counted them.',
            unit: 'short',
            thresholds: THRESHOLDS.redisFailovers,
            targets: [
              { expr: seenByAll('carewatch_redis_failovers_total'), legend: 'failovers' },
              { expr: seenByAll('carewatch_redis_reconnections_total'), legend: 'reconnections' },
            ],
          }),
          timeseries({
            title: 'Work done without Redis',
            description:
              'Cache operations per second that went without Redis while it was unreachable, by operation; ' +
              'and changes not every instance confirmed within 0.5 s (an instance stalled or gone), by ' +
              'cache: that instance may answer from its old copy for up to 10 s.',
            unit: 'ops',
            targets: [
              {
                expr: sumRate('carewatch_redis_degraded_operations_total', ['operation']),
                legend: '{{operation}}',
              },
              {
                expr: sumRate('carewatch_cache_unconfirmed_changes_total', ['cache']),
                legend: 'unconfirmed change: {{cache}}',
              },
            ],
          }),
          timeseries({
            title: 'Redis command errors',
            description: 'Failed Redis commands per second, by reason (unavailable, timeout, reply, other).',
            unit: 'ops',
            targets: [
              { expr: sumRate('carewatch_redis_command_errors_total', ['reason']), legend: '{{reason}}' },
            ],
          }),
        ],
      },
      {
        title: 'Cache and dependencies',
        panels: [
          timeseries({
            title: 'Cache latency',
            description: 'p50, p95 and p99 of cache operations by backend (Redis or in-process memory).',
            unit: 's',
            targets: quantileTargets(
              (q) => quantile(q, 'carewatch_cache_operation_duration_seconds', ['backend']),
              '{{backend}}',
            ),
          }),
          timeseries({
            title: 'Cache hit ratio',
            description:
              'Share of look-ups served from the cache, by cache. The alert (floor 90 %) watches the shared ' +
              'caches, session and external_jwks; read_your_writes mostly misses by design.',
            unit: 'percentunit',
            targets: [
              {
                expr: ratio(
                  sumRate('carewatch_cache_requests_total', ['cache'], 'result="hit"'),
                  sumRate('carewatch_cache_requests_total', ['cache']),
                ),
                legend: '{{cache}}',
              },
            ],
          }),
          timeseries({
            title: 'Circuit breakers',
            description:
              'State of each circuit breaker: closed, half open (probing) or open (calls refused).',
            unit: 'short',
            mappings: BREAKER_MAPPINGS,
            targets: [
              { expr: gauge('max', 'carewatch_circuit_breaker_state', ['breaker']), legend: '{{breaker}}' },
            ],
          }),
        ],
      },
    ],
  });
}
