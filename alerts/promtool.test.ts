import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { toolOrSkip } from './src/binaries';
import { REPO_ROOT } from './src/generated-check';

// Runs the real promtool on every generated rule file and its unit tests.

const DIST = join(REPO_ROOT, 'alerts', 'dist');
const TESTS = join(REPO_ROOT, 'alerts', 'tests');
const ruleFiles = readdirSync(DIST).filter((f) => f.endsWith('.rules.yml'));
const testFiles = readdirSync(TESTS).filter((f) => f.endsWith('.yml'));

function run(tool: string, args: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync(tool, args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('promtool', () => {
  it('finds rule files and unit test files', () => {
    expect(ruleFiles).to.have.length.greaterThan(0);
    expect(testFiles.map((f) => f.replace('.test.yml', ''))).to.have.members(
      ruleFiles.map((f) => f.replace('.rules.yml', '')),
    );
  });

  for (const file of ruleFiles) {
    it(`check rules ${file}`, function () {
      const promtool = toolOrSkip(this, 'promtool');
      const { status, output } = run(promtool, ['check', 'rules', file], DIST);
      expect(status, output).to.equal(0);
    });
  }

  for (const file of testFiles) {
    it(`test rules ${file}`, function () {
      // Multi-day inputs (same hour yesterday and last week, 36 h staleness) take seconds alone and
      // far longer on a loaded CI machine.
      this.timeout(180_000);
      const promtool = toolOrSkip(this, 'promtool');
      // Run from the tests directory: rule_files paths in the test file are relative to it.
      const { status, output } = run(promtool, ['test', 'rules', file], TESTS);
      expect(status, output).to.equal(0);
    });
  }
});
