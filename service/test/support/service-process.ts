import { spawn, type ChildProcess } from 'node:child_process';

export interface StartedService {
  readonly child: ChildProcess;
  readonly port: number;
  readonly output: () => string;
}

/**
 * Starts the real entry point as its own process, the way `npm start` does (with the tracing loaded
 * first), and waits for its URL. `imports` are loaded before it too, after tsx.
 */
export async function startService(env: NodeJS.ProcessEnv, imports: string[] = []): Promise<StartedService> {
  const preload = ['tsx', './service/src/instrumentation.ts', ...imports].flatMap((name) => [
    '--import',
    name,
  ]);
  const child = spawn(process.execPath, [...preload, 'service/src/main.ts'], {
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
