import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DEAD_MANS_SWITCH, receiverName } from './src/alertmanager';
import { toolOrSkip } from './src/binaries';
import { REPO_ROOT } from './src/generated-check';
import { allAlerts } from './src/rule-files';

// Checks the generated Alertmanager configuration with the real amtool, and that every alert,
// with its own labels, is routed to the receiver of its team and severity.

const CONFIG = join(REPO_ROOT, 'alerts', 'dist', 'alertmanager.yml');

function amtool(tool: string, args: string[]): { status: number | null; stdout: string; output: string } {
  const result = spawnSync(tool, args, { encoding: 'utf8' });
  return {
    status: result.status,
    stdout: result.stdout.trim(),
    output: `${result.stdout}${result.stderr}`.trim(),
  };
}

describe('alertmanager routing', () => {
  it('passes amtool check-config', function () {
    const tool = toolOrSkip(this, 'amtool');
    const { status, output } = amtool(tool, ['check-config', CONFIG]);
    expect(status, output).to.equal(0);
  });

  it("sends the always-firing Watchdog, and only it, to the dead man's switch (issue 12, point 5)", () => {
    const toSwitch = allAlerts().filter(
      ({ rule }) => receiverName(rule.labels.team, rule.labels.severity) === DEAD_MANS_SWITCH,
    );
    expect(toSwitch.map(({ rule }) => rule.alert)).to.deep.equal(['CarewatchWatchdog']);
    expect(toSwitch[0]!.rule.expr).to.equal('vector(1)');
  });

  it('pages for no target and for a missing target, never for one instance of many (issue 12, point 5)', () => {
    const severity = new Map(allAlerts().map(({ rule }) => [rule.alert, rule.labels.severity]));
    expect(severity.get('CarewatchTargetsMissing')).to.equal('critical');
    expect(severity.get('CarewatchNoTargetUp')).to.equal('critical');
    expect(severity.get('CarewatchTargetsDown')).to.equal('warning');
    expect(severity.get('CarewatchInstanceDown')).not.to.equal('critical');
  });

  for (const { rule } of allAlerts()) {
    const { team, severity } = rule.labels;
    it(`routes ${rule.alert} (${team}, ${severity}) to ${receiverName(team, severity)}`, function () {
      const tool = toolOrSkip(this, 'amtool');
      const labels = Object.entries({ alertname: rule.alert, ...rule.labels }).map(([k, v]) => `${k}=${v}`);
      const { status, stdout, output } = amtool(tool, [
        'config',
        'routes',
        'test',
        `--config.file=${CONFIG}`,
        ...labels,
      ]);
      expect(status, output).to.equal(0);
      // stdout is the receiver list; amtool warns about --alertmanager.url on stderr.
      expect(stdout).to.equal(receiverName(team, severity));
    });
  }
});
