import { listMetricNames } from './metric-names';
import { allRules } from './rule-files';
import { isAlertRule } from './types';

// Every PromQL expression of every rule, for checks that evaluate them against a real Prometheus
// scraping the running service (rule expressions use job="carewatch" and need no substitution).

export interface RuleExpression {
  file: string;
  group: string;
  /** The alert name or the recorded series name. */
  name: string;
  kind: 'alert' | 'record';
  expr: string;
}

export function listRuleExpressions(): RuleExpression[] {
  return allRules().map(({ file, group, rule }) => ({
    file,
    group,
    name: isAlertRule(rule) ? rule.alert : rule.record,
    kind: isAlertRule(rule) ? 'alert' : 'record',
    expr: rule.expr,
  }));
}

/** Every metric name the rules read, sorted; recorded (`a:b:c`) names included. */
export function listRuleMetricNames(): string[] {
  return [...new Set(listRuleExpressions().flatMap((e) => listMetricNames(e.expr)))].sort();
}

export { isRecordedMetricName, listMetricNames } from './metric-names';
