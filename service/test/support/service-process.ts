import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StartedService {
  readonly child: ChildProcess;
  readonly port: number;
  readonly output: () => string;
}

export interface StartOptions {
  /** Modules loaded before the service (after tsx and the tracing). */
  readonly imports?: readonly string[];
  /** Run the compiled service in dist/ (`npm run build`), with the arguments `npm start` gives node. */
  readonly built?: boolean;
  /** Node.js options that NODE_OPTIONS may not carry, e.g. --cpu-prof. */
  readonly nodeOptions?: readonly string[];
}

/**
 * The arguments `npm start` gives node (package.json's start script): the built service runs with the
 * Node.js flags production runs with (the image and the chart use the same, see helm/chart.test.ts).
 */
export function startScriptArguments(dir = process.cwd()): string[] {
  const { scripts } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const command = / exec node (.+)$/.exec(scripts.start)?.[1];
  if (!command) throw new Error('The start script in package.json does not end with `exec node <arguments>`');
  return command.split(' ');
}

function commandLine(
  { imports = [], built = false, nodeOptions = [] }: StartOptions,
  cwd?: string,
): string[] {
  if (built) return [...nodeOptions, ...startScriptArguments(cwd)];
  const preload = ['tsx', './service/src/instrumentation.ts', ...imports];
  return [...nodeOptions, ...preload.flatMap((name) => ['--import', name]), 'service/src/main.ts'];
}

/**
 * Starts a Node process that prints `listening on http://host:port` once it serves, and waits for that
 * line. With `keepOutput: false` what it prints afterwards is read and dropped (a benchmark's access log
 * would otherwise pile up in memory).
 */
export async function startListeningProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  { keepOutput = true, cwd }: { readonly keepOutput?: boolean; readonly cwd?: string } = {},
): Promise<StartedService> {
  const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) {
        clearInterval(timer);
        resolve(Number(match[1]));
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`${args.at(-1)} exited with ${code} before listening:\n${output}`));
    });
  });
  if (!keepOutput) {
    child.stdout.off('data', collect);
    child.stderr.off('data', collect);
    child.stdout.resume();
    child.stderr.resume();
  }
  return { child, port, output: () => output };
}

/** Starts the real entry point as its own process, with the tracing loaded first, and waits for its URL. */
export function startService(
  env: NodeJS.ProcessEnv,
  options: StartOptions & { readonly keepOutput?: boolean; readonly cwd?: string } = {},
): Promise<StartedService> {
  return startListeningProcess(
    commandLine(options, options.cwd),
    { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    { keepOutput: options.keepOutput ?? true, cwd: options.cwd },
  );
}
