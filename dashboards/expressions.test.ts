import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { toolOrSkip } from '../alerts/src/binaries';
import { CONTRACT_METRIC_NAMES } from '../alerts/src/metric-contract';
import { listRuleExpressions } from '../alerts/src/expressions';
import {
  isRecordedMetricName,
  listDashboardMetricNames,
  listPanelExpressions,
  substituteVariables,
} from './src/expressions';

describe('dashboard expressions', () => {
  const expressions = listPanelExpressions();

  it('substitutes every template variable', () => {
    expect(expressions).to.have.length.greaterThan(30);
    for (const e of expressions) expect(e.expr, e.rawExpr).not.to.include('$');
    expect(substituteVariables('rate(x{job=~"$job", instance=~"${instance}"}[$__rate_interval])')).to.equal(
      'rate(x{job=~"carewatch", instance=~".*"}[1m])',
    );
    expect(substituteVariables('x[$__range:1m]', { __range: '6h' })).to.equal('x[6h:1m]');
  });

  it('reads only metrics of the contract, or series our rules record', () => {
    const recorded = new Set(
      listRuleExpressions()
        .filter((e) => e.kind === 'record')
        .map((e) => e.name),
    );
    const unknown = listDashboardMetricNames().filter((m) =>
      isRecordedMetricName(m) ? !recorded.has(m) : !CONTRACT_METRIC_NAMES.has(m),
    );
    expect(unknown).to.deep.equal([]);
  });

  it('parses in promtool after substitution', function () {
    const promtool = toolOrSkip(this, 'promtool');
    // promtool has no "check expression" command: a rule file of recording rules parses each one.
    const rules = expressions.map((e, i) => ({ record: `dashboard_expression_${i}`, expr: e.expr }));
    const dir = mkdtempSync(join(tmpdir(), 'carewatch-dash-'));
    try {
      const file = join(dir, 'dashboards.rules.yml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard-expressions', rules }] }));
      const result = spawnSync(promtool, ['check', 'rules', file], { encoding: 'utf8' });
      expect(result.status, `${result.stdout}${result.stderr}`).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
