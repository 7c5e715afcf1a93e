import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ALERT_PREFIX, RUNBOOK_BASE_URL } from './src/conventions';
import { REPO_ROOT } from './src/generated-check';
import { allAlerts } from './src/rule-files';
import { SEVERITIES, TEAMS } from './src/types';

// Alert conventions, checked on every alert: naming, labels, annotations, runbooks, unit tests.

const RUNBOOKS = join(REPO_ROOT, 'alerts', 'runbooks');
const TESTS = join(REPO_ROOT, 'alerts', 'tests');
const CAMEL_CASE = new RegExp(`^${ALERT_PREFIX}(?:[A-Z][a-z0-9]+)+$`);
const RUNBOOK_SECTIONS = ['## Meaning', '## Checks', '## Actions'];

interface PromtoolTestFile {
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

/** alertname -> how many firing and how many silent promtool cases mention it. */
function unitCaseCounts(): Map<string, { firing: number; silent: number }> {
  const counts = new Map<string, { firing: number; silent: number }>();
  for (const file of readdirSync(TESTS).filter((f) => f.endsWith('.yml'))) {
    const doc = parse(readFileSync(join(TESTS, file), 'utf8')) as PromtoolTestFile;
    for (const check of doc.tests.flatMap((t) => t.alert_rule_test ?? [])) {
      const entry = counts.get(check.alertname) ?? { firing: 0, silent: 0 };
      if ((check.exp_alerts ?? []).length > 0) entry.firing++;
      else entry.silent++;
      counts.set(check.alertname, entry);
    }
  }
  return counts;
}

describe('alert conventions', () => {
  const alerts = allAlerts();
  const cases = unitCaseCounts();

  it('has unique alert names', () => {
    const names = alerts.map((a) => a.rule.alert);
    expect(new Set(names).size).to.equal(names.length);
  });

  it('has a runbook for every alert and no runbook without an alert', () => {
    const runbooks = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md'));
    expect(runbooks.map((f) => f.replace(/\.md$/, ''))).to.have.members(alerts.map((a) => a.rule.alert));
  });

  for (const { rule } of alerts) {
    describe(rule.alert, () => {
      it(`is CamelCase and starts with ${ALERT_PREFIX}`, () => {
        expect(rule.alert).to.match(CAMEL_CASE);
      });

      it('has an allowed severity and team', () => {
        expect(SEVERITIES).to.include(rule.labels.severity);
        expect(TEAMS).to.include(rule.labels.team);
      });

      it('has a static one-sentence summary and a templated description', () => {
        expect(rule.annotations.summary).to.match(/^[A-Z][^{}]*\.$/);
        expect(rule.annotations.summary.slice(0, -1)).not.to.match(/\.\s/);
        expect(rule.annotations.description).to.match(/\{\{\s*\$(labels|value)/);
      });

      it('links a runbook that exists and explains meaning, checks and actions', () => {
        expect(rule.annotations.runbook_url).to.equal(`${RUNBOOK_BASE_URL}${rule.alert}.md`);
        const path = join(RUNBOOKS, `${rule.alert}.md`);
        expect(existsSync(path), path).to.equal(true);
        const text = readFileSync(path, 'utf8');
        expect(text).to.match(new RegExp(`^# ${rule.alert}\\b`));
        for (const section of RUNBOOK_SECTIONS) expect(text, section).to.include(section);
        // Concrete checks: at least one command or PromQL block.
        expect(text).to.match(/```/);
      });

      it('has a promtool case where it fires and one where it must not (the Watchdog always fires)', () => {
        expect(cases.get(rule.alert)?.firing ?? 0, 'firing cases').to.be.greaterThan(0);
        const silent = cases.get(rule.alert)?.silent ?? 0;
        if (rule.labels.severity === 'none') expect(silent, 'a silent Watchdog case').to.equal(0);
        else expect(silent, 'silent cases').to.be.greaterThan(0);
      });
    });
  }
});
