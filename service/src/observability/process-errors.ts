import type { Logger } from './logger';
import type { Metrics } from './metrics';

/**
 * Last-resort handlers for errors nothing awaited or caught. A stray rejection is logged and counted and
 * the service goes on; an uncaught exception leaves state unknown, so after logging it the process exits
 * non-zero and the orchestrator starts a clean one.
 */
export function handleProcessErrors(logger: Logger, metrics: Metrics): void {
  process.on('unhandledRejection', (reason: unknown) => {
    metrics.errors.unhandled.inc({ kind: 'process' });
    logger.error('unhandled promise rejection', { error: reason });
  });
  process.on('uncaughtException', (error: Error) => {
    metrics.errors.unhandled.inc({ kind: 'process' });
    logger.error('uncaught exception; exiting', { error });
    process.exitCode = 1;
    // Exit once the line is written; if the transport hangs, exit anyway.
    logger.once('finish', () => process.exit(1));
    logger.end();
    setTimeout(() => process.exit(1), 2_000).unref();
  });
}
