/**
 * Runs as its own process (`node --import tsx`), because the instrumentations must patch http, koa, pg
 * and ioredis before anything requires them. It starts tracing with an in-memory exporter, then loads
 * and runs the scenarios, and prints one line for tracing.test.ts: `RESULT <json>`.
 */
import type { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { startTracing } from '../../src/observability/tracing';
import type { ScenarioResult } from './traced-scenarios';

export interface SpanRecord {
  readonly name: string;
  readonly kind: SpanKind;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Record<string, unknown>;
  readonly events: { name: string; attributes: Record<string, unknown> }[];
  readonly status: { code: number; message?: string };
}

export interface HarnessResult extends ScenarioResult {
  readonly spans: SpanRecord[];
}

function toRecord(span: ReadableSpan): SpanRecord {
  return {
    name: span.name,
    kind: span.kind,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    attributes: { ...span.attributes },
    events: span.events.map((event) => ({ name: event.name, attributes: { ...event.attributes } })),
    status: { ...span.status },
  };
}

async function main(): Promise<void> {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ sampleRatio: 1, exporter });
  // Only now: the instrumentations patch koa, pg and ioredis as the scenarios require them.
  const { runScenarios } = await import('./traced-scenarios.js');
  const scenarios = await runScenarios();
  // A server span ends on the response's 'finish', which can come after the client already has the
  // answer; let those callbacks run before the spans are collected.
  await new Promise((resolve) => setTimeout(resolve, 250));
  await tracing.provider.forceFlush();
  const result: HarnessResult = { ...scenarios.result, spans: exporter.getFinishedSpans().map(toRecord) };
  console.log(`RESULT ${JSON.stringify(result)}`);
  await scenarios.close();
  await tracing.shutdown();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
