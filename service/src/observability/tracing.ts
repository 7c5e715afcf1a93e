import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';

import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { PrivacySpanProcessor } from './span-privacy';

/*
 * Nothing in this file may import koa, pg or ioredis (types aside): the instrumentations patch those
 * modules when they are first required, which must happen after `startTracing`.
 */

export interface TracingOptions {
  /** Share of new traces recorded (0..1); a caller's sampling decision is followed either way. */
  readonly sampleRatio: number;
  /** Where recorded spans go. Without one nothing is recorded, but trace ids still reach the logs. */
  readonly exporter?: SpanExporter;
  /** Spans per export at most (the SDK's OTEL_BSP_MAX_EXPORT_BATCH_SIZE when absent). */
  readonly exportBatchSize?: number;
}

export interface Tracing {
  readonly provider: NodeTracerProvider;
  /** Exports what is buffered and stops; the instrumentations stay in place (they cannot be undone). */
  shutdown(): Promise<void>;
}

let installed: Tracing | undefined;

/** The tracing `startTracing` installed in this process, if any (the entry point flushes it on exit). */
export function installedTracing(): Tracing | undefined {
  return installed;
}

function instrumentations() {
  return [
    // Outgoing calls only: the server span of an incoming request is made by the app's first middleware
    // (server-span.ts), at a fraction of the cost. No headers beyond the standard attributes.
    new HttpInstrumentation({
      disableIncomingRequestInstrumentation: true,
      requireParentforOutgoingSpans: true,
      headersToSpanAttributes: { client: {} },
    }),
    // No Koa instrumentation: with its middleware and router layers ignored it records nothing, yet
    // wrapping every middleware cost about 20 % of a PHI read's throughput (measured with
    // `npm run bench:tracing`). The server span is named by route template in server-span.ts instead.
    // Pool connects and background queries without a request around them are not traced.
    new PgInstrumentation({
      enhancedDatabaseReporting: false,
      requireParentSpan: true,
      ignoreConnectSpans: true,
    }),
    // The command name only: arguments are keys that can hold ids, and values.
    new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
  ];
}

/**
 * Installs the tracer provider (W3C trace context in and out, parent-based ratio sampling) and the HTTP,
 * pg and ioredis instrumentations. Call once per process, before anything requires those modules.
 */
export function startTracing(options: TracingOptions): Tracing {
  if (installed) throw new Error('Tracing is already started in this process');
  const sampler = options.exporter
    ? new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) })
    : new AlwaysOffSampler();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'carewatch' }).merge(
      detectResources({ detectors: [envDetector] }),
    ),
    sampler,
    spanProcessors: options.exporter
      ? [
          new PrivacySpanProcessor(
            new BatchSpanProcessor(options.exporter, { maxExportBatchSize: options.exportBatchSize }),
          ),
        ]
      : [],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  registerInstrumentations({ tracerProvider: provider, instrumentations: instrumentations() });
  installed = { provider, shutdown: () => provider.shutdown() };
  return installed;
}
