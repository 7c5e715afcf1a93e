import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './dashboard';
import { quantileTargets, timeseries } from './panels';
import { gauge, quantile, ratio, sumRate } from './promql';

// The database pool, queries, cache and circuit breakers: where a slow request usually waits.

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

export function dataStores(): dashboard.Dashboard {
  return buildDashboard({
    uid: 'carewatch-data-stores',
    title: 'Carewatch / Data stores',
    description: 'PostgreSQL connection pool and query times, cache latency and hit ratio, circuit breakers.',
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
            description: 'Share of cache lookups served from the cache, by cache; the alert floor is 90 %.',
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
