import { spawn, type ChildProcess } from 'node:child_process';

export interface StartedService {
  readonly child: ChildProcess;
  readonly port: number;
  readonly output: () => string;
}

export interface StartOptions {
  /** Modules loaded before the service (after tsx and the tracing). */
  readonly imports?: readonly string[];
  /** Run the compiled service in dist/ (`npm run build`), exactly as `npm start` does. */
  readonly built?: boolean;
  /** Node.js options that NODE_OPTIONS may not carry, e.g. --cpu-prof. */
  readonly nodeOptions?: readonly string[];
}

function commandLine({ imports = [], built = false, nodeOptions = [] }: StartOptions): string[] {
  if (built)
    return [
      ...nodeOptions,
      '--enable-source-maps',
      '--import',
      './dist/service/src/instrumentation.js',
      'dist/service/src/main.js',
    ];
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
    commandLine(options),
    { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    { keepOutput: options.keepOutput ?? true, cwd: options.cwd },
  );
}
