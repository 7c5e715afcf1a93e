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
}

function commandLine({ imports = [], built = false }: StartOptions): string[] {
  if (built)
    return [
      '--enable-source-maps',
      '--import',
      './dist/service/src/instrumentation.js',
      'dist/service/src/main.js',
    ];
  const preload = ['tsx', './service/src/instrumentation.ts', ...imports];
  return [...preload.flatMap((name) => ['--import', name]), 'service/src/main.ts'];
}

/** Starts the real entry point as its own process, with the tracing loaded first, and waits for its URL. */
export async function startService(
  env: NodeJS.ProcessEnv,
  options: StartOptions = {},
): Promise<StartedService> {
  const child = spawn(process.execPath, commandLine(options), {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
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
      reject(new Error(`the service exited with ${code} before listening:\n${output}`));
    });
  });
  return { child, port, output: () => output };
}
