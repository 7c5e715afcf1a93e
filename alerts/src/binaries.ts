import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

// Finds the Prometheus tools the tests run for real. PROMTOOL / AMTOOL / PROMETHEUS / ALERTMANAGER
// override the lookup (CI can point them at a downloaded release); otherwise the first executable on PATH
// is used, under the release's name or Debian's.

export type Tool = 'promtool' | 'amtool' | 'prometheus' | 'alertmanager';

const DEBIAN_NAMES: Partial<Record<Tool, string>> = { alertmanager: 'prometheus-alertmanager' };

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findTool(tool: Tool, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env[tool.toUpperCase()];
  if (override !== undefined && override !== '') return isExecutable(override) ? override : undefined;
  const names = [tool, DEBIAN_NAMES[tool]].filter((name) => name !== undefined);
  return (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .flatMap((dir) => names.map((name) => join(dir, name)))
    .find(isExecutable);
}

/** In a mocha test: the tool's path, or skip the test saying which tool is missing and why. */
export function toolOrSkip(ctx: Mocha.Context, tool: Tool): string {
  const path = findTool(tool);
  if (path === undefined) {
    console.log(
      `      skipped: ${tool} not found (set ${tool.toUpperCase()} or put it on PATH; ` +
        `Debian: apt-get install prometheus prometheus-alertmanager)`,
    );
    ctx.skip();
  }
  return path;
}
