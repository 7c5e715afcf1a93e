import { readFile } from 'node:fs/promises';

export interface WalkthroughStep {
  /** The shell commands of one `sh` block, as a reader pastes them. */
  readonly script: string;
  /** The `# →` lines of the block: the answers to expect, `…` standing for anything. */
  readonly expected: readonly string[];
}

/** The `sh` blocks of one README section (from its `## ` heading to the next one), in order. */
export async function readmeSteps(file: string, heading: string): Promise<WalkthroughStep[]> {
  const text = await readFile(file, 'utf8');
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`${file} has no section "## ${heading}"`);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map(([, script = '']) => ({
    script,
    expected: [...script.matchAll(/^# → (.*)$/gm)].map(([, line = '']) => line),
  }));
}

/** `…` in an expected line matches anything; the rest must match the output line exactly. */
export function matchesExpected(expected: string, line: string): boolean {
  const pattern = expected
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(line.trim());
}
