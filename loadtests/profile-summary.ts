/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): the top frames by self time and by total time, and the
 * same by module (an npm package, a Node.js internal area, a file of ours), so a profile can be read in a
 * terminal and quoted in a note.
 *
 *   tsx loadtests/profile-summary.ts <file.cpuprofile | directory (its newest profile)> [top N] [from S]
 *
 * Shows the top N (15) of each list; samples of the first S seconds (start-up, warm-up; 0) are left out.
 *
 * Total time counts a sample once per frame (or module) on its stack, however often recursion repeats it.
 * Percentages are of all sampled time; "(idle)" is time the process waited for I/O.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The package, Node.js area or source file a frame belongs to. */
function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  // eslint-disable-next-line security/detect-unsafe-regex -- reviewed: every repetition consumes distinct characters, so matching stays linear
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1]!;
  const internal = /^node:(?:internal\/)?([^/]+)/.exec(url);
  if (internal) return `node:${internal[1]!.replace(/\.js$/, '')}`;
  return relative(process.cwd(), url.replace(/^file:\/\//, ''));
}

function frameOf({ functionName, url, lineNumber }: CallFrame): string {
  const where = url ? `${moduleOf(url, functionName)}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}

interface Tally {
  readonly self: Map<string, number>;
  readonly total: Map<string, number>;
}

const add = (map: Map<string, number>, key: string, value: number) =>
  map.set(key, (map.get(key) ?? 0) + value);

function summarise(profile: CpuProfile, fromMicroseconds: number) {
  const parents = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parents.set(child, node.id);
  }
  // Per node, the distinct frames and modules on its stack (root to node), computed once.
  const stacks = new Map<number, { frames: Set<string>; modules: Set<string> }>();
  const stackOf = (id: number): { frames: Set<string>; modules: Set<string> } => {
    const known = stacks.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const parent = parents.get(id);
    const above =
      parent === undefined ? { frames: new Set<string>(), modules: new Set<string>() } : stackOf(parent);
    const stack = {
      frames: new Set(above.frames).add(frameOf(node.callFrame)),
      modules: new Set(above.modules).add(moduleOf(node.callFrame.url, node.callFrame.functionName)),
    };
    stacks.set(id, stack);
    return stack;
  };
  const frames: Tally = { self: new Map(), total: new Map() };
  const modules: Tally = { self: new Map(), total: new Map() };
  let all = 0;
  let elapsed = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    elapsed += delta;
    if (elapsed < fromMicroseconds) return;
    const node = byId.get(id)!;
    all += delta;
    add(frames.self, frameOf(node.callFrame), delta);
    add(modules.self, moduleOf(node.callFrame.url, node.callFrame.functionName), delta);
    const stack = stackOf(id);
    for (const frame of stack.frames) add(frames.total, frame, delta);
    for (const module of stack.modules) add(modules.total, module, delta);
  });
  return { frames, modules, all };
}

function print(title: string, map: Map<string, number>, all: number, top: number): void {
  console.log(`\n${title}`);
  const rows = [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, value] of rows) console.log(`${((value / all) * 100).toFixed(1).padStart(6)} %  ${key}`);
}

function newestProfile(path: string): string {
  if (!statSync(path).isDirectory()) return path;

  const files = readdirSync(path)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(path, name))

    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!files[0]) throw new Error(`no .cpuprofile in ${path}`);
  return files[0];
}

function main(): void {
  const [path, topArgument, fromArgument] = process.argv.slice(2);
  if (!path) throw new Error('usage: tsx loadtests/profile-summary.ts <file.cpuprofile | directory> [top]');
  const file = newestProfile(path);
  const top = Number(topArgument ?? 15);
  const from = Number(fromArgument ?? 0);

  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const { frames, modules, all } = summarise(profile, from * 1e6);
  console.log(`${file}: ${(all / 1e6).toFixed(1)} s sampled from second ${from}`);
  print('top frames by self time', frames.self, all, top);
  print('top frames by total time', frames.total, all, top);
  print('modules by self time', modules.self, all, top);
  print('modules by total time', modules.total, all, top);
}

main();
