import { ALERTMANAGER_PATH, renderAlertmanager } from './alertmanager';
import { RULE_FILES } from './rule-files';
import { renderRuleFile, ruleFilePath } from './render-rules';
import { renderUnitTests, unitTestPath } from './render-unit-tests';

/** Every generated file, keyed by its path from the repository root. */
export function alertOutputs(): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of RULE_FILES) {
    files.set(ruleFilePath(file), renderRuleFile(file));
    files.set(unitTestPath(file), renderUnitTests(file));
  }
  files.set(ALERTMANAGER_PATH, renderAlertmanager());
  return files;
}
