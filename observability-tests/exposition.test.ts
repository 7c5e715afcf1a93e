import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { toolOrSkip } from '../alerts/src/binaries';
import { listRuleMetricNames } from '../alerts/src/expressions';
import { EXTERNAL_METRICS } from '../alerts/src/metric-contract';
import { isRecordedMetricName, listDashboardMetricNames } from '../dashboards/src/expressions';
import { readMemoryLimit } from '../service/src/observability/memory-limit';
import { SPECIALTIES } from '../service/src/providers/model';
import { declaredFamilies, isDeclared } from './support/exposition';
import { useTestApp, type TestApp } from '../service/test/support/test-app';

// The dashboards and rules read names from the metric contract; this checks the running service really
// exposes every one of them, and that what it exposes passes Prometheus' own lint.

/** Series Prometheus makes itself for every target; the service does not expose them. */
const SCRAPE_SERIES = new Set(['up']);

async function scrape(app: TestApp): Promise<string> {
  const response = await app.http().get('/metrics').expect(200);
  return response.text;
}

describe('the service /metrics', () => {
  const app = useTestApp();
  it('declares every metric a dashboard or rule reads', async () => {
    const families = declaredFamilies(await scrape(app));
    const read = [...new Set([...listDashboardMetricNames(), ...listRuleMetricNames()])].filter(
      (name) => !isRecordedMetricName(name) && !SCRAPE_SERIES.has(name) && !EXTERNAL_METRICS.has(name),
    );
    expect(read).to.include.members([
      'http_server_request_duration_seconds_bucket',
      'process_cpu_seconds_total',
      'carewatch_memory_limit_bytes',
    ]);
    expect(read.filter((name) => !isDeclared(name, families))).to.deep.equal([]);
  });

  it('exposes the memory limit it read at startup, not the gauge default of 0', async () => {
    const sample = /^carewatch_memory_limit_bytes (\S+)$/m.exec(await scrape(app));
    expect(Number(sample?.[1])).to.equal(readMemoryLimit());
  });

  it('exposes the label combinations the first-event alerts read at 0 before any event (issue 12, point 3)', async () => {
    const exposition = await scrape(app);
    const series = [
      'carewatch_audit_events_total{action="break_glass",outcome="success",actor_role="admin"}',
      ...SPECIALTIES.map(
        (s) => `carewatch_consultation_transitions_total{to_status="expired",specialty="${s}"}`,
      ),
      'carewatch_consultation_operations_total{operation="accept",result="error"}',
      'carewatch_prescription_operations_total{operation="send",result="error"}',
      'carewatch_auth_lockouts_total{scope="account"}',
      'carewatch_errors_unhandled_total{kind="request"}',
    ];
    expect(series.filter((name) => !exposition.includes(`${name} `))).to.deep.equal([]);
  });

  it('passes promtool check metrics without a remark', async function () {
    const promtool = toolOrSkip(this, 'promtool');
    const exposition = await scrape(app);
    const result = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`).to.equal('');
    expect(result.status).to.equal(0);
  });
});

describe('isDeclared', () => {
  const families = declaredFamilies(
    '# HELP h_seconds x\n# TYPE h_seconds histogram\n# HELP c_total x\n# TYPE c_total counter\n',
  );

  it('accepts a family and the series of a histogram family', () => {
    for (const name of ['h_seconds', 'h_seconds_bucket', 'h_seconds_count', 'h_seconds_sum', 'c_total'])
      expect(isDeclared(name, families), name).to.equal(true);
  });

  it('refuses an undeclared name, and histogram suffixes on a counter', () => {
    for (const name of ['missing_total', 'c_total_bucket', 'h_second_bucket'])
      expect(isDeclared(name, families), name).to.equal(false);
  });
});
