import { expect } from 'chai';
import { isRecordedMetricName, listRuleExpressions, listRuleMetricNames } from './src/expressions';
import { CONTRACT_METRIC_NAMES, EXTERNAL_METRICS } from './src/metric-contract';
import { allAlerts } from './src/rule-files';

describe('rule expressions', () => {
  const expressions = listRuleExpressions();

  it('lists every alert and recording rule', () => {
    const alertNames = expressions.filter((e) => e.kind === 'alert').map((e) => e.name);
    expect(alertNames).to.have.members(allAlerts().map((a) => a.rule.alert));
    expect(expressions.filter((e) => e.kind === 'record').map((e) => e.name)).to.include.members([
      'slo:sli_error:ratio_rate5m',
      'slo:sli_error:ratio_rate3d',
      'slo:objective:ratio',
      'slo:error_budget:ratio',
    ]);
  });

  it('reads only metrics of the contract (or our own recordings)', () => {
    const unknown = listRuleMetricNames().filter(
      (m) => !isRecordedMetricName(m) && !CONTRACT_METRIC_NAMES.has(m),
    );
    expect(unknown).to.deep.equal([]);
  });

  it('selects the carewatch job in every selector of a scraped metric', () => {
    for (const e of expressions) {
      const selectors = e.expr.match(/(?<![\w:])[a-zA-Z_:][\w:]*\{[^}]*\}/g) ?? [];
      const scraped = selectors.filter((x) => !isRecordedMetricName(x.split('{')[0] ?? ''));
      for (const s of scraped)
        if (EXTERNAL_METRICS.has(s.split('{')[0]!)) expect(s, `${e.name}: ${s}`).to.match(/="carewatch"/);
        else expect(s, `${e.name}: ${s}`).to.include('job="carewatch"');
    }
  });
});
