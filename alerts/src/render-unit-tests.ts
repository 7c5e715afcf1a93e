import { Document, type YAMLSeq } from 'yaml';
import { YAML_OPTIONS, generatedHeader, renderRuleFile } from './render-rules';
import {
  isAlertRule,
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

function testGroup(rule: AlertRule, c: FiringCase | QuietCase, firing: boolean): Record<string, unknown> {
  const exp_alerts = 'expect' in c ? c.expect.map((e) => expectedAlert(rule, e)) : [];
  return {
    interval: '1m',
    input_series: c.input,
    alert_rule_test: [{ eval_time: c.evalTime, alertname: rule.alert, exp_alerts: firing ? exp_alerts : [] }],
  };
}

function alertsOf(file: RuleFile): AlertRule[] {
  return file.groups.flatMap((g) => g.rules.filter(isAlertRule));
}

export function unitTestPath(file: RuleFile): string {
  return `alerts/tests/${file.name}.test.yml`;
}

export function renderUnitTests(file: RuleFile): string {
  const tests = alertsOf(file).flatMap((rule) => [
    testGroup(rule, rule.cases.fires, true),
    testGroup(rule, rule.cases.quiet, false),
  ]);
  const doc = new Document({
    rule_files: [`../dist/${file.name}.rules.yml`],
    evaluation_interval: '1m',
    tests,
  });
  // A comment above each test group says which alert it exercises and, for silent cases, why.
  const groups = doc.get('tests') as YAMLSeq;
  alertsOf(file).forEach((rule, i) => {
    const [fires, quiet] = [groups.items[2 * i], groups.items[2 * i + 1]] as { commentBefore?: string }[];
    if (fires) fires.commentBefore = ` ${rule.alert} fires`;
    if (quiet) quiet.commentBefore = ` ${rule.alert} stays silent: ${rule.cases.quiet.why}`;
  });
  const header = `promtool unit tests for ${file.name} rules (source: the cases in alerts/src).`;
  return `${generatedHeader(header)}${doc.toString(YAML_OPTIONS)}`;
}

export { renderRuleFile };
