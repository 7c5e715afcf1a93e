import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

// Shared by the dashboard and alert build scripts: write generated files under a root directory
// (the repository by default, a temporary directory when a test checks that dist is up to date).

export function outputRoot(argv: readonly string[]): string {
  const flag = argv.indexOf('--out');
  const dir = flag >= 0 ? argv[flag + 1] : undefined;
  return resolve(dir ?? join(__dirname, '..', '..'));
}

export function writeOutputs(root: string, files: ReadonlyMap<string, string>): void {
  for (const [path, content] of files) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
