/**
 * Loaded before the service with `node --import`, so that the HTTP, pg and ioredis modules are patched
 * before anything requires them. It imports nothing of the service but config and tracing.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { loadConfig } from './config';
import { startTracing } from './observability/tracing';

function tracingConfig() {
  try {
    return loadConfig(process.env).tracing;
  } catch {
    // main.ts loads the configuration again and reports every problem before it exits.
    return undefined;
  }
}

const tracing = tracingConfig();
if (tracing?.enabled) {
  // The exporter reads the standard OTEL_EXPORTER_OTLP_* variables (endpoint, headers, timeout) itself.
  startTracing({
    sampleRatio: tracing.sampleRatio,
    exporter: tracing.otlpEndpoint ? new OTLPTraceExporter() : undefined,
    exportBatchSize: tracing.exportBatchSize,
  });
}
