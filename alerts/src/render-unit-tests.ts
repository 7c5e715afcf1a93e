import { Document, type YAMLSeq } from 'yaml';
import { YAML_OPTIONS, generatedHeader, renderRuleFile } from './render-rules';
import {
  isAlertRule,
  isQuietCase,
  type AlertRule,
  type ExpectedAlert,
  type FiringCase,
  type QuietCase,
  type RuleFile,
} from './types';

// Renders the promtool unit tests of a rule file from the cases attached to its alerts: for each
// alert one test group where it fires (with its exact labels and annotations) and one where it
// must stay silent.

const TEMPLATE_LABEL = /\{\{\s*\$labels\.(\w+)\s*\}\}/g;
const TEMPLATE_VALUE = /\{\{\s*\$value[^}]*\}\}/g;

/** Renders the description the way Prometheus will for this expected alert. */
function renderDescription(template: string, labels: Record<string, string>, value: string): string {
  return template
    .replace(TEMPLATE_LABEL, (_m, name: string) => labels[name] ?? '')
    .replace(TEMPLATE_VALUE, value);
}

function expectedAlert(rule: AlertRule, expected: ExpectedAlert): Record<string, unknown> {
  const labels = { ...expected.labels, ...rule.labels };
  return {
    exp_labels: labels,
    exp_annotations: {
      ...rule.annotations,
      description: renderDescription(rule.annotations.description, labels, expected.value),
    },
  };
}

function testGroup(rule: AlertRule, c: FiringCase | QuietCase): Record<string, unknown> {
  const exp_alerts = isQuietCase(c) ? [] : c.expect.map((e) => expectedAlert(rule, e));
  return {
    interval: '1m',
    input_series: c.input,
    alert_rule_test: [{ eval_time: c.evalTime, alertname: rule.alert, exp_alerts }],
  };
}

function casesOf(rule: AlertRule): (FiringCase | QuietCase)[] {
  const { fires, quiet, more = [] } = rule.cases;
  return [fires, ...(quiet ? [quiet] : []), ...more];
}

function caseComment(rule: AlertRule, c: FiringCase | QuietCase): string {
  return isQuietCase(c) ? ` ${rule.alert} stays silent: ${c.why}` : ` ${rule.alert} fires`;
}

function alertsOf(file: RuleFile): AlertRule[] {
  return file.groups.flatMap((g) => g.rules.filter(isAlertRule));
}

export function unitTestPath(file: RuleFile): string {
  return `alerts/tests/${file.name}.test.yml`;
}

export function renderUnitTests(file: RuleFile): string {
  const cases = alertsOf(file).flatMap((rule) => casesOf(rule).map((c) => ({ rule, c })));
  const tests = cases.map(({ rule, c }) => testGroup(rule, c));
  const doc = new Document({
    rule_files: [`../dist/${file.name}.rules.yml`],
    evaluation_interval: '1m',
    tests,
  });
  // A comment above each test group says which alert it exercises and, for silent cases, why.
  const groups = doc.get('tests') as YAMLSeq;
  cases.forEach(({ rule, c }, i) => {
    (groups.items[i] as { commentBefore?: string }).commentBefore = caseComment(rule, c);
  });
  const header = `promtool unit tests for ${file.name} rules (source: the cases in alerts/src).`;
  return `${generatedHeader(header)}${doc.toString(YAML_OPTIONS)}`;
}

export { renderRuleFile };
