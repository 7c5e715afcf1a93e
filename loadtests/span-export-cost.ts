/**
 * How long one span export holds the event loop, by batch size (OTEL_BSP_MAX_EXPORT_BATCH_SIZE): the OTLP
 * exporter serialises a batch synchronously before it sends it, and requests wait meanwhile. Spans shaped
 * like the PHI read's (a server span, and a pg span carrying its statement), exported to a local receiver.
 *
 *   npm run bench:spans
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { percentile } from './percentile';

const BATCH_SIZES = [512, 256, 128, 64, 32];
const BATCHES_OF_512 = 12;

const SERVER_ATTRIBUTES = {
  'http.request.method': 'GET',
  'url.scheme': 'http',
  'url.path': '/v1/patients/me',
  'server.address': '127.0.0.1',
  'network.protocol.version': '1.1',
  'http.response.status_code': 200,
  'http.route': '/v1/patients/me',
};
// About the length of the audited read's statement (1,200 characters).
const STATEMENT =
  'SELECT user_id, given_name, family_name, date_of_birth FROM patients WHERE user_id = ANY($1) '.repeat(13);
const CLIENT_ATTRIBUTES = {
  'db.system.name': 'postgresql',
  'db.namespace': 'carewatch',
  'server.address': '127.0.0.1',
  'server.port': 5432,
  'db.query.text': STATEMENT,
};

/** The synchronous part of each export, in ms, for spans exported in batches of `batchSize`. */
async function exportTimes(url: string, batchSize: number): Promise<number[]> {
  const exporter = new OTLPTraceExporter({ url });
  const times: number[] = [];
  const send = exporter.export.bind(exporter);
  exporter.export = (spans, done) => {
    const started = performance.now();
    send(spans, done);
    times.push(performance.now() - started);
  };
  const processor = new BatchSpanProcessor(exporter, {
    maxExportBatchSize: batchSize,
    maxQueueSize: 4096,
    scheduledDelayMillis: 60_000,
  });
  const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('span-export-cost');
  for (let round = 0; round < BATCHES_OF_512; round += 1) {
    for (let span = 0; span < 256; span += 1) {
      tracer.startSpan('GET /v1/patients/me', { kind: SpanKind.SERVER, attributes: SERVER_ATTRIBUTES }).end();
      tracer
        .startSpan('pg.query:cw_read carewatch', { kind: SpanKind.CLIENT, attributes: CLIENT_ATTRIBUTES })
        .end();
    }
    // Lets each batch's request finish: one export at a time, as in the service.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await processor.shutdown();
  // The first third warms the JIT up.
  return times.slice(Math.floor(times.length / 3));
}

async function main(): Promise<void> {
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
  console.log('spans per export   exports   event loop held per export: median   p99     max   per span');
  for (const batchSize of BATCH_SIZES) {
    const times = await exportTimes(url, batchSize);
    const median = percentile(times, 50);
    console.log(
      `${String(batchSize).padStart(16)} ${String(times.length).padStart(9)} ${median.toFixed(2).padStart(28)} ms ${percentile(times, 99).toFixed(2).padStart(5)} ${Math.max(
        ...times,
      )
        .toFixed(2)
        .padStart(7)}   ${((median / batchSize) * 1000).toFixed(1)} µs`,
    );
  }
  receiver.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
