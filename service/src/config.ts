import { z } from 'zod';
import { isTimeZone } from './platform/time-zone';
import { IDLE_CONNECTION_MS } from './platform/idle-connection';
import type { CorsPolicy } from './platform/cors';
import type { RequestRateLimit } from './platform/request-rate-limit';
import {
  externalIdentityConfig,
  externalIdentityEnv,
  externalIdentityProblems,
  type ExternalIdentityConfig,
} from './auth/external/config';
import { auditConfigFrom, auditEnv, auditProductionProblems, type AuditConfig } from './audit/config';
import type { RedisSettings } from './platform/redis-connection';
import type { ReplicaSettings } from './platform/replica-set';
import { authConfigFrom, authEnvShape, authProductionProblems, type AuthConfig } from './auth/config';
import { urlVariable } from './config-url';
import { mailConfigFrom, mailEnv, type MailConfig } from './mail/config';

/**
 * Development-only secrets. They let `npm start` work on a fresh clone, and they are refused in
 * production so a misconfigured deployment fails at start-up instead of running with public keys.
 */
// eslint-disable-next-line no-secrets/no-secrets -- a development-only key, public on purpose and refused in production
export const DEVELOPMENT_ENCRYPTION_KEY = 'dev:Y2FyZXdhdGNoLWRldmVsb3BtZW50LW9ubHkta2V5ISE=';

const booleanFromString = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const durationSeconds = z.coerce.number().int().positive();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: urlVariable(['postgres', 'postgresql'], 'postgres://user:password@host:5432/carewatch'),
  DATABASE_DIRECT_URL: urlVariable(
    ['postgres', 'postgresql'],
    'postgres://user:password@host:5432/carewatch',
  ),
  DATABASE_POOLER: z.enum(['none', 'pgbouncer']).default('none'),
  // The schema owner, for migrations only; DATABASE_URL is then the runtime role (see db/migrations/README.md).
  DATABASE_MIGRATION_URL: urlVariable(
    ['postgres', 'postgresql'],
    'postgres://owner:password@host:5432/carewatch',
  ),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  DATABASE_POOL_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(50).default(2_000),
  DATABASE_POOL_IDLE_MS: z.coerce.number().int().min(1_000).default(IDLE_CONNECTION_MS),
  DATABASE_REPLICA_URLS: z
    .string()
    .refine(
      (list) => list.split(',').every((url) => /^postgres(ql)?:\/\/\S+$/.test(url.trim())),
      'comma-separated postgres:// URLs',
    )
    .optional(),
  REPLICA_STICKY_MS: z.coerce.number().int().min(0).default(2_000),
  REPLICA_MAX_LAG_MS: z.coerce.number().int().min(0).default(5_000),
  REPLICA_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).default(1_000),
  DATA_DIR: z.string().min(1).default('.data'),
  REDIS_URL: urlVariable(['redis', 'rediss'], 'redis://host:6379'),
  REDIS_KEY_PREFIX: z.string().default('carewatch:'),
  REDIS_SENTINELS: z
    .string()
    // eslint-disable-next-line security/detect-unsafe-regex -- each repetition starts at a comma the previous one cannot consume, so matching stays linear
    .regex(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, 'comma-separated host:port pairs')
    .optional(),
  REDIS_SENTINEL_NAME: z.string().min(1).default('carewatch'),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).default(500),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'a size such as 100kb')
    .default('100kb'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  SHUTDOWN_READINESS_DELAY_MS: z.coerce.number().int().min(0).optional(),
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
  // How often each instance adds its counts to the shared ones in Redis: the other instances' view of an
  // address lags by this much (see platform/batched-rate-limit.ts).
  API_RATE_LIMIT_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(200),
  ENCRYPTION_KEYS: z
    .string()
    // eslint-disable-next-line security/detect-unsafe-regex -- reviewed: every repetition consumes distinct characters, so matching stays linear
    .regex(/^[\w-]+:[A-Za-z0-9+/=]+(,[\w-]+:[A-Za-z0-9+/=]+)*$/, 'comma-separated keyId:base64Key pairs')
    .default(DEVELOPMENT_ENCRYPTION_KEY),
  ENCRYPTION_ACTIVE_KEY_ID: z.string().min(1).default('dev'),
  CONSULTATION_REQUEST_TTL: durationSeconds.default(30 * 60),
  CONSULTATION_MAX_OPEN_REQUESTS: z.coerce.number().int().min(1).max(50).default(3),
  // Where the clinics are: critical hours are local hours, and local time follows daylight saving.
  CLINIC_TIMEZONE: z.string().refine(isTimeZone, 'an IANA time zone such as America/New_York').default('UTC'),
  ...externalIdentityEnv,
  ...authEnvShape,
  ...auditEnv,
  ...mailEnv,
  TRACING_ENABLED: booleanFromString.default(true),
  TRACING_SAMPLE_RATIO: z.coerce.number().min(0).max(1).optional(),
  // Read by the OTLP exporter itself; validated here so that a typo fails at start-up, not at export.
  OTEL_EXPORTER_OTLP_ENDPOINT: urlVariable(['http', 'https'], 'http://collector:4318'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: urlVariable(['http', 'https'], 'http://collector:4318/v1/traces'),
  // The standard variable with a smaller default than the SDK's 512: an export is serialised on the event
  // loop, and 512 spans held it about 5 ms (16 at worst) while requests waited; 64 spans, under 1 ms
  // (`npm run bench:spans`).
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: z.coerce.number().int().min(1).default(64),
  PROMETHEUS_URL: urlVariable(['http', 'https'], 'http://prometheus:9090'),
  PROMETHEUS_JOB: z.string().min(1).default('carewatch'),
  ALERTMANAGER_URL: urlVariable(['http', 'https'], 'http://alertmanager:9093'),
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
    /**
     * The server itself, bypassing a transaction-mode pooler, for what needs a session of its own (the
     * migrator's session-level advisory lock, the migrations); DATABASE_URL when unset.
     */
    readonly directUrl: string | undefined;
    /** `pgbouncer`: DATABASE_URL is a transaction-mode PgBouncer, which refuses session startup parameters. */
    readonly pooler: 'none' | 'pgbouncer';
    /** Who runs migrations: the owner. Undefined: DATABASE_URL's role does (one role for both). */
    readonly migrationUrl: string | undefined;
    readonly poolMax: number;
    readonly statementTimeoutMs: number;
    /** How long a request waits for a pooled connection before it is answered 503. */
    readonly acquireTimeoutMs: number;
    /** How long a pooled connection no statement used stays open. */
    readonly idleMs: number;
    readonly dataDir: string;
    /** Read replicas for lists, reports and audit queries; empty reads everything from the primary. */
    readonly replicas: ReplicaSettings & { readonly stickyMs: number };
  };
  readonly redis: RedisSettings;
  readonly log: { readonly level: Env['LOG_LEVEL'] };
  readonly shutdownTimeoutMs: number;
  readonly clinic: { readonly timeZone: string };
  /**
   * How long /readyz answers 503 after SIGTERM before the listener closes, so that load balancers see it
   * fail and stop sending new requests first (their check interval times their fall count, at least).
   */
  readonly shutdownReadinessDelayMs: number;
  readonly encryption: { readonly keys: ReadonlyMap<string, Buffer>; readonly activeKeyId: string };
  readonly consultations: { readonly requestTtlSeconds: number; readonly maxOpenRequests: number };
  /** Undefined when no SUPABASE_* variable is set: external tokens are then refused. */
  readonly externalIdentity: ExternalIdentityConfig | undefined;
  readonly auth: AuthConfig;
  readonly audit: AuditConfig;
  readonly mail: MailConfig;
  readonly tracing: {
    readonly enabled: boolean;
    /** Share of new traces recorded; a caller's sampling decision is always followed. */
    readonly sampleRatio: number;
    /** Where spans go (OTLP/HTTP); none means spans are not recorded, only their ids reach the logs. */
    readonly otlpEndpoint: string | undefined;
    /** Spans per export at most. */
    readonly exportBatchSize: number;
  };
  /** The operations console: where its panels and alerts come from (SQL when neither is set). */
  readonly console: {
    readonly prometheusUrl: string | undefined;
    /** The scrape job the dashboards' `$job` stands for. */
    readonly job: string;
    readonly alertmanagerUrl: string | undefined;
  };
}

/** Production refuses the development secrets; this is where new ones come from. */
const KEYS_HINT =
  'Run `npm run keys:generate` to print new JWT_SIGNING_KEYS, ENCRYPTION_KEYS, ENCRYPTION_ACTIVE_KEY_ID and AUDIT_CHECKPOINT_KEY.';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    const needsKeys = problems.some((problem) => problem.includes('development'));
    super(
      `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}` +
        (needsKeys ? `\n${KEYS_HINT}` : ''),
    );
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

function parseSentinels(list: string | undefined): RedisSettings['sentinels'] {
  if (!list) return [];
  return list.split(',').map((pair) => {
    const [host = '', port = ''] = pair.split(':');
    return Object.freeze({ host, port: Number(port) });
  });
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
      rateLimit: Object.freeze({
        points: e.API_RATE_LIMIT_POINTS,
        windowSeconds: e.API_RATE_LIMIT_WINDOW,
        flushIntervalMs: e.API_RATE_LIMIT_FLUSH_MS,
      }),
    }),
    database: Object.freeze({
      url: e.DATABASE_URL,
      directUrl: e.DATABASE_DIRECT_URL,
      pooler: e.DATABASE_POOLER,
      migrationUrl: e.DATABASE_MIGRATION_URL,
      poolMax: e.DATABASE_POOL_MAX,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      acquireTimeoutMs: e.DATABASE_POOL_ACQUIRE_TIMEOUT_MS,
      idleMs: e.DATABASE_POOL_IDLE_MS,
      dataDir: e.DATA_DIR,
      replicas: Object.freeze({
        urls: e.DATABASE_REPLICA_URLS ? e.DATABASE_REPLICA_URLS.split(',').map((url) => url.trim()) : [],
        stickyMs: e.REPLICA_STICKY_MS,
        maxLagMs: e.REPLICA_MAX_LAG_MS,
        checkIntervalMs: e.REPLICA_CHECK_INTERVAL_MS,
      }),
    }),
    redis: Object.freeze({
      url: e.REDIS_URL,
      keyPrefix: e.REDIS_KEY_PREFIX,
      sentinels: parseSentinels(e.REDIS_SENTINELS),
      sentinelName: e.REDIS_SENTINEL_NAME,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    }),
    log: Object.freeze({ level: e.LOG_LEVEL }),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    clinic: Object.freeze({ timeZone: e.CLINIC_TIMEZONE }),
    shutdownReadinessDelayMs: e.SHUTDOWN_READINESS_DELAY_MS ?? (e.NODE_ENV === 'production' ? 5_000 : 0),
    encryption: Object.freeze({ keys, activeKeyId: e.ENCRYPTION_ACTIVE_KEY_ID }),
    consultations: Object.freeze({
      requestTtlSeconds: e.CONSULTATION_REQUEST_TTL,
      maxOpenRequests: e.CONSULTATION_MAX_OPEN_REQUESTS,
    }),
    externalIdentity: externalIdentityConfig(e),
    auth: authConfigFrom(e),
    audit: auditConfigFrom(e),
    mail: mailConfigFrom(e),
    tracing: Object.freeze({
      enabled: e.TRACING_ENABLED,
      sampleRatio: e.TRACING_SAMPLE_RATIO ?? (e.NODE_ENV === 'production' ? 0.1 : 1),
      otlpEndpoint: e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT,
      exportBatchSize: e.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
    }),
    console: Object.freeze({
      prometheusUrl: e.PROMETHEUS_URL,
      job: e.PROMETHEUS_JOB,
      alertmanagerUrl: e.ALERTMANAGER_URL,
    }),
  });
}
