import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './dashboard';
import { quantileTargets, stat, timeseries } from './panels';
import { gauge, quantile, ratio, sel, sumRate } from './promql';
import { THRESHOLDS } from './thresholds';

// RED metrics per route, then the resources that saturate first in a Node service.

const HTTP = 'http_server_request_duration_seconds';

export function serviceOverview(): dashboard.Dashboard {
  return buildDashboard({
    uid: 'carewatch-service-overview',
    title: 'Carewatch / Service overview',
    description: 'Requests, errors and latency per route, and the saturation of each instance.',
    tags: ['service'],
    rows: [
      {
        title: 'Requests and errors',
        panels: [
          timeseries({
            title: 'Request rate by route',
            description: 'HTTP requests per second, by route template.',
            unit: 'reqps',
            targets: [{ expr: sumRate(`${HTTP}_count`, ['route']), legend: '{{route}}' }],
          }),
          timeseries({
            title: 'Server error ratio by route',
            description: 'Share of requests answered with a 5xx status, by route template.',
            unit: 'percentunit',
            targets: [
              {
                expr: ratio(
                  sumRate(`${HTTP}_count`, ['route'], 'status_code=~"5.."'),
                  sumRate(`${HTTP}_count`, ['route']),
                ),
                legend: '{{route}}',
              },
            ],
          }),
          timeseries({
            title: 'Responses by status code',
            description: 'HTTP responses per second by status code: 4xx are client problems, 5xx ours.',
            unit: 'reqps',
            targets: [{ expr: sumRate(`${HTTP}_count`, ['status_code']), legend: '{{status_code}}' }],
          }),
        ],
      },
      {
        title: 'Latency',
        panels: [0.5, 0.95, 0.99].map((q) =>
          timeseries({
            title: `p${q * 100} latency by route`,
            description: `The ${q * 100}th percentile of request duration by route template.`,
            unit: 's',
            targets: [{ expr: quantile(q, HTTP, ['route']), legend: '{{route}}' }],
          }),
        ),
      },
      {
        title: 'Saturation and runtime',
        panels: [
          timeseries({
            title: 'CPU usage',
            description: 'CPU time used per second by each instance (1.0 = one full core).',
            unit: 'percentunit',
            targets: [{ expr: sumRate('process_cpu_seconds_total', ['instance']), legend: '{{instance}}' }],
          }),
          timeseries({
            title: 'Event loop lag',
            description:
              'p99 event loop lag: how long a ready callback waits; everything slows when it rises.',
            unit: 's',
            thresholds: THRESHOLDS.eventLoopLag,
            targets: [
              {
                expr: gauge('max', 'nodejs_eventloop_lag_p99_seconds', ['instance']),
                legend: '{{instance}}',
              },
            ],
          }),
          timeseries({
            title: 'Memory',
            description:
              'Resident memory and V8 heap used and allocated, per instance, under the memory limit the ' +
              'instance read from its container (CarewatchMemoryHigh fires at 90 % of it).',
            unit: 'bytes',
            targets: [
              {
                expr: gauge('sum', 'process_resident_memory_bytes', ['instance']),
                legend: 'rss {{instance}}',
              },
              {
                expr: gauge('max', 'carewatch_memory_limit_bytes', ['instance']),
                legend: 'limit {{instance}}',
              },
              {
                expr: gauge('sum', 'nodejs_heap_size_used_bytes', ['instance']),
                legend: 'heap used {{instance}}',
              },
              {
                expr: gauge('sum', 'nodejs_heap_size_total_bytes', ['instance']),
                legend: 'heap total {{instance}}',
              },
            ],
          }),
          timeseries({
            title: 'Database pool utilisation',
            description:
              'Connections in use as a share of the pool maximum, per instance; queries queue above 90 %.',
            unit: 'percentunit',
            thresholds: THRESHOLDS.poolSaturation,
            targets: [
              {
                expr: ratio(
                  gauge('sum', 'carewatch_db_pool_connections', ['instance'], 'state="in_use"'),
                  gauge('max', 'carewatch_db_pool_max_connections', ['instance']),
                ),
                legend: '{{instance}}',
              },
            ],
          }),
          timeseries({
            title: 'Requests waiting for a connection',
            description: 'Queries queued for a database connection, per instance.',
            unit: 'short',
            targets: [
              {
                expr: gauge('sum', 'carewatch_db_pool_waiting_requests', ['instance']),
                legend: '{{instance}}',
              },
            ],
          }),
          timeseries({
            title: 'Unhandled errors',
            description:
              'Errors that reached the top-level handler (500s, rejected promises), per second by kind.',
            unit: 'ops',
            targets: [{ expr: sumRate('carewatch_errors_unhandled_total', ['kind']), legend: '{{kind}}' }],
          }),
          stat({
            title: 'Uptime',
            description: 'Time since each instance process started; a reset means a restart.',
            unit: 's',
            targets: [{ expr: `time() - ${sel('process_start_time_seconds')}`, legend: '{{instance}}' }],
          }),
          stat({
            title: 'Instances up',
            description: 'Instances Prometheus can scrape right now.',
            unit: 'short',
            targets: [{ expr: gauge('sum', 'up'), legend: 'up' }],
          }),
          timeseries({
            title: 'Instances behind the load balancer',
            description:
              'Instances Prometheus discovers, those it can scrape, and those whose /readyz answers 200, which ' +
              'the load balancer routes to (it is not scraped itself). A page fires below 2 ready of several.',
            unit: 'short',
            targets: [
              { expr: `count (${sel('up')})`, legend: 'discovered' },
              { expr: gauge('sum', 'up'), legend: 'up' },
              { expr: gauge('sum', 'carewatch_ready'), legend: 'ready' },
            ],
          }),
          timeseries({
            title: 'Latency percentiles, all routes',
            description: 'p50, p95 and p99 of request duration across every route.',
            unit: 's',
            targets: quantileTargets((q) => quantile(q, HTTP), ''),
          }),
        ],
      },
    ],
  });
}
