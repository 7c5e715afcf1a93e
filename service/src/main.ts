import { ConfigError, loadConfig } from './config';
import { createLogger, type Logger } from './observability/logger';
import { handleProcessErrors } from './observability/process-errors';
import { installedTracing } from './observability/tracing';
import { resolveDatabaseUrl, type ResolvedDatabase } from './platform/database-url';
import { createRuntime, type Runtime } from './runtime';
import { listen } from './server';
import { onShutdownSignals } from './shutdown-signals';
import { migrateDatabase } from '../../db/migrator';

/** What a start has brought up so far, so that a start failing half-way stops exactly that. */
interface Started {
  database?: ResolvedDatabase;
  runtime?: Runtime;
}

async function stopStarted(started: Started): Promise<void> {
  await started.runtime?.close();
  await started.database?.release();
}

function logTracing(
  logger: Logger,
  config: ReturnType<typeof loadConfig>,
): ReturnType<typeof installedTracing> {
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
  return tracing;
}

async function main(started: Started): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.log.level });
  const database = await resolveDatabaseUrl(config, (line) => logger.warn(line), 'service');
  started.database = database;
  const runtime = createRuntime(config, database.url, logger);
  started.runtime = runtime;
  handleProcessErrors(logger, runtime.metrics);
  const tracing = logTracing(logger, config);

  // As the owner: the runtime role has no DDL rights (db/migrations/README.md).
  const applied = await migrateDatabase(database.migrationUrl);
  if (applied.length > 0) logger.info('migrations applied', { migrations: applied });
  await runtime.startBackgroundWork();

  const running = await listen(runtime.app, config.http.port, config.http.host);
  logger.info('carewatch is ready', { url: running.url, embeddedDatabase: database.embedded });
  console.log(`Carewatch is listening on ${running.url}`);

  const shutdown = async (signal: string) => {
    logger.info('shutting down', { signal });
    runtime.beginShutdown();
    // Readiness fails first; the listener closes once the load balancers have seen it and moved on.
    await new Promise((resolve) => setTimeout(resolve, config.shutdownReadinessDelayMs));
    await running.drain(config.shutdownTimeoutMs);
    await stopStarted(started);
    // Last, so that the spans of the requests drained above are exported.
    await tracing?.shutdown();
    logger.info('stopped', { signal });
    logger.end();
  };
  onShutdownSignals({
    begin: (signal) =>
      void shutdown(signal).then(
        () => (process.exitCode = 0),
        (error: unknown) => {
          logger.error('shutdown failed', { error });
          process.exitCode = 1;
        },
      ),
    repeated: (signal) =>
      logger.warn('already shutting down: requests are draining; a third signal forces an exit', { signal }),
    force: (signal) => {
      logger.error('forced exit: a third signal cut the graceful shutdown short', { signal });
      console.error('Carewatch: forced exit before the shutdown finished');
      process.exit(1);
    },
  });
}

const started: Started = {};
main(started).catch(async (error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('Carewatch failed to start:', error instanceof Error ? error.message : error);
  await stopStarted(started).catch((stopError: unknown) =>
    console.error('and could not stop what it had started:', stopError),
  );
  process.exit(1);
});
