import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { run, stop, waitUntilReady } from './child';

export interface LocalService {
  readonly url: string;
  readonly pid: number;
  readonly credentials: string;
  close(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');
const tsx = (script: string, ...args: string[]) => ['--import', 'tsx', join(ROOT, script), ...args];

/**
 * One instance as `npm start` runs it (DATABASE_URL and REDIS_URL from the environment, else the embedded
 * PostgreSQL and the in-process cache), seeded first. Sampled at production's 10 % of traces, and behind
 * a trusted proxy: every virtual user sends its own X-Forwarded-For, so per-address limits see many
 * clients, as in production, instead of one generator.
 */
export async function startLocalService(options: {
  port: number;
  seed: { patients: number; providers: number; admins: number };
  credentials: string | undefined;
  credentialsDir: string;
}): Promise<LocalService> {
  let credentials = options.credentials;
  if (!credentials) {
    credentials = join(options.credentialsDir, `local-${Date.now().toString(36)}.json`);
    const { patients, providers, admins } = options.seed;
    await run(
      process.execPath,
      tsx(
        'db/seed/cli.ts',
        ...['--patients', String(patients), '--providers', String(providers), '--admins', String(admins)],
        ...['--credentials', credentials],
      ),
    );
  }
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--import',
      'tsx',
      '--import',
      join(ROOT, 'service/src/instrumentation.ts'),
      join(ROOT, 'service/src/main.ts'),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(options.port),
        HOST: '127.0.0.1',
        TRUST_PROXY: 'true',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        TRACING_SAMPLE_RATIO: process.env.TRACING_SAMPLE_RATIO ?? '0.1',
        UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '8',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilReady(`${url}/readyz`, child, 180_000);
  } catch (error) {
    await stop(child);
    throw error;
  }
  return { url, pid: child.pid!, credentials, close: () => stop(child) };
}
