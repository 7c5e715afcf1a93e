// `npm start` runs this before starting: it compiles only when a source is newer than the last build,
// so an unchanged checkout starts at once (tsc's own incremental build still checks every file).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';

const BUILD_INFO = 'dist/.tsbuildinfo';
const SOURCES = [
  'service/src',
  'db',
  'dashboards/console',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
];

function newestChange(entry: string): number {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the repository's own files, walked by a build script; no request reaches it
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the repository's own files, walked by a build script; no request reaches it
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newestChange(path.join(entry, name))));
}

const built = statSync(BUILD_INFO, { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (Math.max(...SOURCES.map(newestChange)) > built) {
  const result = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // tsc leaves its build info untouched when a changed file compiles to the same output: mark the check.
  const now = new Date();
  utimesSync(BUILD_INFO, now, now);
}
