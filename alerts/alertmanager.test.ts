import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { receiverName } from './src/alertmanager';
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
