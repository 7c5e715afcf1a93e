import { COMPLIANCE_RULES } from './compliance';
import { PATIENT_SAFETY_RULES } from './patient-safety';
import { PLATFORM_RULES } from './platform';
import { AVAILABILITY_SLO, LATENCY_SLO } from './slo-definitions';
import { sloRuleGroups } from './slo-rules';
import { isAlertRule, type AlertRule, type RecordingRule, type RuleFile } from './types';

export const SLO_RULES: RuleFile = {
  name: 'slo',
  groups: [
    ...sloRuleGroups(AVAILABILITY_SLO, 'CarewatchAvailability'),
    ...sloRuleGroups(LATENCY_SLO, 'CarewatchLatency'),
  ],
};

/** Every rule file, in the order they are built. */
export const RULE_FILES: readonly RuleFile[] = [
  SLO_RULES,
  PATIENT_SAFETY_RULES,
  COMPLIANCE_RULES,
  PLATFORM_RULES,
];

export interface LocatedRule<R> {
  file: string;
  group: string;
  rule: R;
}

function allRules(): LocatedRule<AlertRule | RecordingRule>[] {
  return RULE_FILES.flatMap((file) =>
    file.groups.flatMap((group) => group.rules.map((rule) => ({ file: file.name, group: group.name, rule }))),
  );
}

export function allAlerts(): LocatedRule<AlertRule>[] {
  return allRules().filter((r): r is LocatedRule<AlertRule> => isAlertRule(r.rule));
}

export { allRules };
