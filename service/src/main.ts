import { ConfigError, loadConfig } from './config';
import { createLogger } from './observability/logger';
import { handleProcessErrors } from './observability/process-errors';
import { installedTracing } from './observability/tracing';
import { resolveDatabaseUrl } from './platform/database-url';
import { createRuntime } from './runtime';
import { listen } from './server';
import { migrateDatabase } from '../../db/migrator';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.log.level });
  const database = await resolveDatabaseUrl(config, (line) => logger.warn(line));
  const runtime = createRuntime(config, database.url, logger);
  handleProcessErrors(logger, runtime.metrics);
  const tracing = installedTracing();
  if (tracing) {
    logger.info('tracing', {
      sampleRatio: config.tracing.sampleRatio,
      exporting: Boolean(config.tracing.otlpEndpoint),
    });
  } else if (config.tracing.enabled) {
    logger.warn(
      'tracing is enabled but was not loaded: start with --import <dist>/service/src/instrumentation.js',
    );
  }

  // As the owner: the runtime role has no DDL rights (db/migrations/README.md).
  const applied = await migrateDatabase(database.migrationUrl);
  if (applied.length > 0) logger.info('migrations applied', { migrations: applied });
  await runtime.startBackgroundWork();

  const running = await listen(runtime.app, config.http.port, config.http.host);
  logger.info('carewatch is ready', { url: running.url, embeddedDatabase: database.embedded });
  console.log(`Carewatch is listening on ${running.url}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    runtime.beginShutdown();
    await running.drain(config.shutdownTimeoutMs);
    await runtime.close();
    await database.release();
    // Last, so that the spans of the requests drained above are exported.
    await tracing?.shutdown();
    logger.info('stopped', { signal });
    logger.end();
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      shutdown(signal).then(
        () => (process.exitCode = 0),
        (error: unknown) => {
          logger.error('shutdown failed', { error });
          process.exitCode = 1;
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('Carewatch failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
