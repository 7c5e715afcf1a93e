import { expect } from 'chai';
import { problemsOf, productionEnv } from '../test/support/production-env';
import { DEVELOPMENT_ENCRYPTION_KEY, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives working defaults for development', () => {
    const config = loadConfig({});
    expect(config.env).to.equal('development');
    expect(config.http.port).to.equal(3000);
    expect(config.database.url).to.equal(undefined);
    expect(config.database.dataDir).to.equal('.data');
    expect(config.consultations.requestTtlSeconds).to.equal(1800);
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('reports every problem at once, naming each variable', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
      DATABASE_POOL_MAX: '0',
    });
    expect(problems.map((problem) => problem.split(':')[0])).to.have.members([
      'PORT',
      'DATABASE_URL',
      'LOG_LEVEL',
      'DATABASE_POOL_MAX',
    ]);
  });

  it('reads Redis Sentinels and the pool acquire and idle timeouts, refusing malformed values', () => {
    const config = loadConfig({
      REDIS_SENTINELS: 'sentinel-a:26379,10.0.0.2:26380',
      REDIS_SENTINEL_NAME: 'cw',
      DATABASE_POOL_ACQUIRE_TIMEOUT_MS: '750',
      DATABASE_POOL_IDLE_MS: '30000',
    });
    expect(config.redis.sentinels).to.deep.equal([
      { host: 'sentinel-a', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
    ]);
    expect(config.redis.sentinelName).to.equal('cw');
    expect(config.database.acquireTimeoutMs).to.equal(750);
    expect(loadConfig({}).database.acquireTimeoutMs).to.equal(2000);
    expect(config.database.idleMs).to.equal(30_000);
    expect(loadConfig({}).database.idleMs).to.equal(600_000);
    const problems = problemsOf({
      REDIS_SENTINELS: 'sentinel-a',
      DATABASE_POOL_ACQUIRE_TIMEOUT_MS: 'soon',
      DATABASE_POOL_IDLE_MS: '10',
    });
    expect(problems.map((problem) => problem.split(':')[0])).to.have.members([
      'REDIS_SENTINELS',
      'DATABASE_POOL_ACQUIRE_TIMEOUT_MS',
      'DATABASE_POOL_IDLE_MS',
    ]);
  });

  it('reads read replicas, the direct URL and the pooler, refusing malformed values', () => {
    const config = loadConfig({
      DATABASE_REPLICA_URLS: 'postgres://r1:5432/cw, postgresql://r2:5432/cw',
      DATABASE_DIRECT_URL: 'postgres://primary:5432/cw',
      DATABASE_POOLER: 'pgbouncer',
      REPLICA_STICKY_MS: '3000',
    });
    expect(config.database.replicas).to.include({ stickyMs: 3000, maxLagMs: 5000, checkIntervalMs: 1000 });
    expect(config.database.replicas.urls).to.deep.equal(['postgres://r1:5432/cw', 'postgresql://r2:5432/cw']);
    expect(config.database).to.include({ directUrl: 'postgres://primary:5432/cw', pooler: 'pgbouncer' });
    expect(loadConfig({}).database.replicas.urls).to.deep.equal([]);
    const problems = problemsOf({
      DATABASE_REPLICA_URLS: 'postgres://r1/cw,mysql://r2/cw',
      DATABASE_POOLER: 'pgpool',
      DATABASE_DIRECT_URL: 'http://x',
    });
    expect(problems.map((problem) => problem.split(':')[0])).to.have.members([
      'DATABASE_REPLICA_URLS',
      'DATABASE_POOLER',
      'DATABASE_DIRECT_URL',
    ]);
  });

  it('refuses production with development secrets or without a database', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems.join('\n')).to.include('ENCRYPTION_KEYS').and.include('DATABASE_URL');
  });

  it('accepts production with its own key and database', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({
      ...productionEnv(),
      ENCRYPTION_KEYS: `k2:${key},${DEVELOPMENT_ENCRYPTION_KEY.replace('dev:', 'old:')}`,
      ENCRYPTION_ACTIVE_KEY_ID: 'k2',
    });
    expect(config.encryption.activeKeyId).to.equal('k2');
    expect(config.encryption.keys.size).to.equal(2);
  });

  it('refuses an active key id that is not in the key ring, and keys of the wrong size', () => {
    expect(problemsOf({ ENCRYPTION_ACTIVE_KEY_ID: 'missing' })).to.have.length(1);
    expect(
      problemsOf({
        ENCRYPTION_KEYS: `short:${Buffer.alloc(16).toString('base64')}`,
        ENCRYPTION_ACTIVE_KEY_ID: 'short',
      })[0],
    ).to.include('ENCRYPTION_KEYS');
  });

  it('traces every request outside production and 10 % in production, unless told otherwise', () => {
    expect(loadConfig({}).tracing).to.deep.equal({
      enabled: true,
      sampleRatio: 1,
      otlpEndpoint: undefined,
      exportBatchSize: 64,
    });
    expect(loadConfig(productionEnv()).tracing.sampleRatio).to.equal(0.1);
    const tuned = loadConfig({
      TRACING_ENABLED: 'false',
      TRACING_SAMPLE_RATIO: '0.25',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/v1/traces',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '256',
    }).tracing;
    expect(tuned).to.deep.equal({
      enabled: false,
      sampleRatio: 0.25,
      otlpEndpoint: 'http://traces:4318/v1/traces',
      exportBatchSize: 256,
    });
  });

  it('refuses a sampling ratio outside 0..1, an OTLP endpoint that is not an http URL and an empty export batch', () => {
    const problems = problemsOf({
      TRACING_SAMPLE_RATIO: '1.5',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0',
    });
    expect(problems.map((problem) => problem.split(':')[0])).to.have.members([
      'TRACING_SAMPLE_RATIO',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
    ]);
  });

  it('says which part of a URL is wrong: the scheme, or that it is no URL at all', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://app@db:3306/carewatch' })).to.throw(
      /DATABASE_URL: has the scheme mysql:\/\/ but must be postgres:\/\/ or postgresql:\/\//,
    );
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).to.throw(
      /REDIS_URL: has the scheme localhost:/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).to.throw(
      /DATABASE_URL: is not a URL; expected one like/,
    );
    expect(loadConfig({ DATABASE_URL: '' }).database.url, 'empty counts as unset').to.equal(undefined);
    expect(() => loadConfig({ DATABASE_MIGRATION_URL: 'mysql://owner@db:3306/carewatch' })).to.throw(
      /DATABASE_MIGRATION_URL: has the scheme mysql:\/\/ but must be postgres:\/\/ or postgresql:\/\//,
    );
    expect(
      loadConfig({ DATABASE_MIGRATION_URL: 'postgresql://owner@db:5432/carewatch' }).database.migrationUrl,
    ).to.equal('postgresql://owner@db:5432/carewatch');
  });
});
