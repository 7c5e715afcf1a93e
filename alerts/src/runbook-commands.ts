import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './generated-check';

// What a runbook asks on-call to run, pulled out so a test can run or check each piece against what
// ships: SQL against a migrated database, shell commands against the image the Dockerfile builds
// (compiled dist/ and production dependencies only) and the chart, endpoints against the router.

export const RUNBOOKS_DIR = join(REPO_ROOT, 'alerts', 'runbooks');

export interface Runbook {
  readonly name: string;
  readonly text: string;
}

export function readRunbooks(): Runbook[] {
  return readdirSync(RUNBOOKS_DIR)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => ({ name: f.replace(/\.md$/, ''), text: readFileSync(join(RUNBOOKS_DIR, f), 'utf8') }));
}

function fencedBlocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

const COMMAND_START = /^(kubectl|psql|node|npm|npx|tsx|curl|amtool|helm)\b/;

/** Shell commands: lines of ```sh blocks and inline `code` that starts like a command. */
export function shellCommands(text: string): string[] {
  const fenced = fencedBlocks(text, 'sh').flatMap((block) => block.split('\n'));
  const inline = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  return [...fenced, ...inline].map((line) => line.trim()).filter((line) => COMMAND_START.test(line));
}

/** SQL statements: ```sql blocks, and the -c argument of psql commands. */
export function sqlStatements(text: string): string[] {
  const fenced = fencedBlocks(text, 'sql').map((block) => block.trim());
  const viaPsql = shellCommands(text).flatMap((c) =>
    [...c.matchAll(/psql\b.*?-c\s+"([^"]+)"/g)].map((m) => m[1]!),
  );
  return [...fenced, ...viaPsql].filter((s) => s.length > 0);
}

/** `GET /admin/audit/verify`-style endpoints named in the runbook (query strings dropped). */
export function endpoints(text: string): { method: string; path: string }[] {
  return [...text.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`?\s]*)[^`]*`/g)].map((m) => ({
    method: m[1]!,
    path: m[2]!,
  }));
}

/** What does not exist in the production image or the chart; empty when the command can run there. */
export function imageProblems(command: string, chartKinds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  // The image runs `npm ci --omit=dev`: no tsx, and every npm script that runs TypeScript needs it.
  if (/\b(npx|tsx)\b/.test(command))
    problems.push('uses npx/tsx, which the production image does not contain');
  if (/\bnpm run\b/.test(command))
    problems.push('uses an npm script; the image runs compiled code: node dist/...');
  // eslint-disable-next-line security/detect-unsafe-regex -- runs over the repository's own runbooks; each repetition needs a '--' flag, so matching stays linear
  for (const m of command.matchAll(/\bnode\s+(?:--\S+\s+)*(dist\/\S+)\.js\b/g)) {
    const source = m[1]!.replace(/^dist\//, '');
    if (!existsSync(join(REPO_ROOT, `${source}.ts`)))
      problems.push(`runs ${m[1]}.js, which the build does not produce`);
  }
  for (const m of command.matchAll(/\bkubectl\b.*?\bget\s+([a-z,]+)/g))
    for (const kind of m[1]!.split(','))
      if (!chartKinds.has(kind.replace(/s$/, '')))
        problems.push(`looks for ${kind}, which the chart does not create`);
  // `<pod>` is a redirection in a shell: pasted at 3 a.m. it fails or truncates a file.
  if (/<[a-z][\w-]*>/.test(command)) problems.push('has a <placeholder>; use a "$VARIABLE"');
  return problems;
}

/** Kinds the chart (and the cluster around it) provides, lower case, singular. */
export function chartKinds(): Set<string> {
  const templates = join(REPO_ROOT, 'helm', 'carewatch', 'templates');
  const kinds = readdirSync(templates).flatMap((f) =>
    [...readFileSync(join(templates, f), 'utf8').matchAll(/^kind:\s*(\w+)/gm)].map((m) =>
      m[1]!.toLowerCase(),
    ),
  );
  // Made by the Deployment and the Job, or always there.
  return new Set([...kinds, 'pod', 'replicaset', 'event', 'endpoint', 'deploy', 'svc', 'job']);
}
