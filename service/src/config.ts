import { z } from 'zod';
import type { CorsPolicy } from './platform/cors';
import type { RequestRateLimit } from './platform/request-rate-limit';
import {
  externalIdentityConfig,
  externalIdentityEnv,
  externalIdentityProblems,
  type ExternalIdentityConfig,
} from './auth/external/config';
import { auditConfigFrom, auditEnv, auditProductionProblems, type AuditConfig } from './audit/config';
import { authConfigFrom, authEnvShape, authProductionProblems, type AuthConfig } from './auth/config';

/**
 * Development-only secrets. They let `npm start` work on a fresh clone, and they are refused in
 * production so a misconfigured deployment fails at start-up instead of running with public keys.
 */
export const DEVELOPMENT_ENCRYPTION_KEY = 'dev:Y2FyZXdhdGNoLWRldmVsb3BtZW50LW9ubHkta2V5ISE=';

const booleanFromString = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const durationSeconds = z.coerce.number().int().positive();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  DATA_DIR: z.string().min(1).default('.data'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  REDIS_KEY_PREFIX: z.string().default('carewatch:'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'a size such as 100kb')
    .default('100kb'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  TRUST_PROXY: booleanFromString.default(false),
  // Browser origins allowed to call the API (comma-separated, exact `scheme://host[:port]`); none by default.
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .url({ protocol: /^https?$/ })
          .refine((url) => new URL(url).origin === url, 'an origin: scheme://host[:port]'),
      ),
    ),
  CORS_MAX_AGE: z.coerce.number().int().min(0).max(86_400).default(600),
  // Every client address gets this many requests per window on the API (429 beyond).
  API_RATE_LIMIT_POINTS: z.coerce.number().int().min(1).default(600),
  API_RATE_LIMIT_WINDOW: durationSeconds.default(60),
  ENCRYPTION_KEYS: z
    .string()
    .regex(/^[\w-]+:[A-Za-z0-9+/=]+(,[\w-]+:[A-Za-z0-9+/=]+)*$/, 'comma-separated keyId:base64Key pairs')
    .default(DEVELOPMENT_ENCRYPTION_KEY),
  ENCRYPTION_ACTIVE_KEY_ID: z.string().min(1).default('dev'),
  CONSULTATION_REQUEST_TTL: durationSeconds.default(30 * 60),
  CONSULTATION_MAX_OPEN_REQUESTS: z.coerce.number().int().min(1).max(50).default(3),
  ...externalIdentityEnv,
  ...authEnvShape,
  ...auditEnv,
  TRACING_ENABLED: booleanFromString.default(true),
  TRACING_SAMPLE_RATIO: z.coerce.number().min(0).max(1).optional(),
  // Read by the OTLP exporter itself; validated here so that a typo fails at start-up, not at export.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
});

/**
 * Rules across variables, checked on the raw environment so that they are reported together with the
 * per-variable problems instead of only after those are fixed.
 */
function crossFieldProblems(env: NodeJS.ProcessEnv): string[] {
  const problems = externalIdentityProblems(env);
  const keys = env.ENCRYPTION_KEYS ?? DEVELOPMENT_ENCRYPTION_KEY;
  const keyIds = keys.split(',').map((pair) => pair.split(':')[0]);
  if (!keyIds.includes(env.ENCRYPTION_ACTIVE_KEY_ID ?? 'dev')) {
    problems.push('ENCRYPTION_ACTIVE_KEY_ID: must name one of the keys in ENCRYPTION_KEYS');
  }
  if (env.NODE_ENV !== 'production') return problems;
  if (keys.split(',').includes(DEVELOPMENT_ENCRYPTION_KEY)) {
    problems.push('ENCRYPTION_KEYS: the development key must not be used in production');
  }
  if (!env.DATABASE_URL) {
    problems.push('DATABASE_URL: is required in production (the embedded database is for development)');
  }
  problems.push(...auditProductionProblems(env));
  // Parsed on its own so that a problem elsewhere does not hide a development signing key.
  const auth = z.object(authEnvShape).safeParse(env);
  if (auth.success) problems.push(...authProductionProblems(auth.data).map((p) => `${p.path}: ${p.message}`));
  return problems;
}

type Env = z.infer<typeof schema>;

export interface Config {
  readonly env: Env['NODE_ENV'];
  readonly http: {
    readonly port: number;
    readonly host: string;
    readonly bodyLimit: string;
    readonly trustProxy: boolean;
    readonly cors: CorsPolicy;
    readonly rateLimit: RequestRateLimit;
  };
  readonly database: {
    readonly url: string | undefined;
    readonly poolMax: number;
    readonly statementTimeoutMs: number;
    readonly dataDir: string;
  };
  readonly redis: { readonly url: string | undefined; readonly keyPrefix: string };
  readonly log: { readonly level: Env['LOG_LEVEL'] };
  readonly shutdownTimeoutMs: number;
  readonly encryption: { readonly keys: ReadonlyMap<string, Buffer>; readonly activeKeyId: string };
  readonly consultations: { readonly requestTtlSeconds: number; readonly maxOpenRequests: number };
  /** Undefined when no SUPABASE_* variable is set: external tokens are then refused. */
  readonly externalIdentity: ExternalIdentityConfig | undefined;
  readonly auth: AuthConfig;
  readonly audit: AuditConfig;
  readonly tracing: {
    readonly enabled: boolean;
    /** Share of new traces recorded; a caller's sampling decision is always followed. */
    readonly sampleRatio: number;
    /** Where spans go (OTLP/HTTP); none means spans are not recorded, only their ids reach the logs. */
    readonly otlpEndpoint: string | undefined;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseKeys(pairs: string): Map<string, Buffer> {
  return new Map(
    pairs.split(',').map((pair) => {
      const [id = '', key = ''] = pair.split(':');
      return [id, Buffer.from(key, 'base64')];
    }),
  );
}

/** Reads the whole configuration from `env`, reporting every problem at once, naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = schema.safeParse(env);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)),
    ...crossFieldProblems(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const keys = parseKeys(e.ENCRYPTION_KEYS);
  const shortKeys = [...keys].filter(([, key]) => key.length !== 32).map(([id]) => id);
  if (shortKeys.length > 0) {
    throw new ConfigError([`ENCRYPTION_KEYS: keys must be 32 bytes (AES-256); not: ${shortKeys.join(', ')}`]);
  }
  return Object.freeze({
    env: e.NODE_ENV,
    http: Object.freeze({
      port: e.PORT,
      host: e.HOST,
      bodyLimit: e.BODY_LIMIT,
      trustProxy: e.TRUST_PROXY,
      cors: Object.freeze({ origins: e.CORS_ORIGINS, maxAgeSeconds: e.CORS_MAX_AGE }),
      rateLimit: Object.freeze({ points: e.API_RATE_LIMIT_POINTS, windowSeconds: e.API_RATE_LIMIT_WINDOW }),
    }),
    database: Object.freeze({
      url: e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      dataDir: e.DATA_DIR,
    }),
    redis: Object.freeze({ url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX }),
    log: Object.freeze({ level: e.LOG_LEVEL }),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    encryption: Object.freeze({ keys, activeKeyId: e.ENCRYPTION_ACTIVE_KEY_ID }),
    consultations: Object.freeze({
      requestTtlSeconds: e.CONSULTATION_REQUEST_TTL,
      maxOpenRequests: e.CONSULTATION_MAX_OPEN_REQUESTS,
    }),
    externalIdentity: externalIdentityConfig(e),
    auth: authConfigFrom(e),
    audit: auditConfigFrom(e),
    tracing: Object.freeze({
      enabled: e.TRACING_ENABLED,
      sampleRatio: e.TRACING_SAMPLE_RATIO ?? (e.NODE_ENV === 'production' ? 0.1 : 1),
      otlpEndpoint: e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT,
    }),
  });
}
