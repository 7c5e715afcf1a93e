/**
 * The requests behind tracing.test.ts, made in the process that traced-requests.ts starts once tracing is
 * installed: these imports require koa, pg and ioredis, so this module must be loaded after it.
 */
import { request as httpGet, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { trace } from '@opentelemetry/api';
import { createApp } from '../../src/app';
import { listen } from '../../src/server';
import { createTestDatabase, stopTestServer } from './environment';
import { auditRowsFor } from './audit';
import { createPatient } from './identities';
import { createTestRuntime, type TestRuntime } from './runtime';

export const CALLER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const CALLER_SPAN_ID = 'b7ad6b7169203331';
/** A caller that decided not to record its trace (flags 00). */
export const UNSAMPLED_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

export interface ResponseRecord {
  readonly status: number;
  readonly requestId: string | null;
  readonly contentType: string | null;
  readonly body: string;
}

export interface ScenarioResult {
  readonly logs: Record<string, unknown>[];
  readonly fresh: ResponseRecord;
  readonly continued: ResponseRecord;
  readonly unsampled: ResponseRecord;
  readonly unrouted: ResponseRecord;
  readonly failed: ResponseRecord;
  /** The trace ids stored with the audit events of one PHI read under each caller's traceparent. */
  readonly auditedTraceIds: { readonly sampled: string | null; readonly unsampled: string | null };
  readonly outgoing: { traceparent: string | undefined; traceId: string; spanId: string };
  readonly unhandledErrors: string;
}

async function fetchRecord(url: string, headers: Record<string, string> = {}): Promise<ResponseRecord> {
  // fetch (undici) is not patched by the http instrumentation, so the client adds no spans of its own.
  const response = await fetch(url, { headers });
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    contentType: response.headers.get('content-type'),
    body: await response.text(),
  };
}

/** Reads a patient's own record (an audited PHI read) and returns the trace id its audit event stored. */
async function auditedTraceId(
  runtime: TestRuntime,
  url: string,
  traceparent: string,
): Promise<string | null> {
  const patient = await createPatient(runtime);
  const read = await fetchRecord(`${url}/v1/patients/me`, { ...patient.headers, traceparent });
  if (read.status !== 200 || !read.requestId) throw new Error(`the PHI read failed: ${read.body}`);
  const [event] = await auditRowsFor(runtime, read.requestId);
  return event?.trace_id ?? null;
}

/** An outgoing call made inside a span: the traceparent header it carries is what another service sees. */
async function outgoingTraceparent(): Promise<ScenarioResult['outgoing']> {
  let seen: string | undefined;
  const server = createServer((request, response) => {
    seen = request.headers.traceparent as string | undefined;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const tracer = trace.getTracer('carewatch-test');
  const ids = await tracer.startActiveSpan('outgoing call', async (span) => {
    await new Promise<void>((resolve, reject) => {
      httpGet({ host: '127.0.0.1', port, path: '/' }, (response) => response.resume().on('end', resolve))
        .on('error', reject)
        .end();
    });
    span.end();
    return span.spanContext();
  });
  server.close();
  return { traceparent: seen, traceId: ids.traceId, spanId: ids.spanId };
}

/** Serves the real app on real sockets and makes every request the test asserts on. */
export async function runScenarios(): Promise<{ result: ScenarioResult; close(): Promise<void> }> {
  const runtime = createTestRuntime(await createTestDatabase('traced'));
  await runtime.migrator.up();
  const served = await listen(runtime.app, 0, '127.0.0.1');
  const fresh = await fetchRecord(`${served.url}/readyz?name=Zebulon%20Quixote&dob=1961-04-12`);
  const continued = await fetchRecord(`${served.url}/readyz`, {
    traceparent: `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`,
  });
  const unsampled = await fetchRecord(`${served.url}/readyz`, {
    traceparent: `00-${UNSAMPLED_TRACE_ID}-${CALLER_SPAN_ID}-00`,
  });
  const unrouted = await fetchRecord(`${served.url}/v1/patients/0b5e1d7c-patient-id/nowhere`);
  const auditedTraceIds = {
    sampled: await auditedTraceId(runtime, served.url, `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`),
    unsampled: await auditedTraceId(runtime, served.url, `00-${UNSAMPLED_TRACE_ID}-${CALLER_SPAN_ID}-00`),
  };
  const outgoing = await outgoingTraceparent();
  await trace.getTracer('carewatch-test').startActiveSpan('inlined literal', async (span) => {
    await runtime.sequelize.query("SELECT 'Zebulon Quixote' AS given_name, 1961 AS born");
    span.end();
  });

  // A route that reads a table dropped under it: a real unexpected failure. (An unreachable database is a
  // dependency outage, answered 503 with Retry-After, not an unexpected error.)
  const doomedUrl = await createTestDatabase('doomed');
  const doomed = createTestRuntime(doomedUrl);
  await doomed.sequelize.query('CREATE TABLE doomed_records (id int)');
  const records = new Router().get('/records', async (ctx) => {
    ctx.body = await doomed.sequelize.query('SELECT count(*) FROM doomed_records', { type: 'SELECT' });
  });
  const failing = await listen(
    createApp({ ...doomed, isReady: async () => ({ degraded: [] }), apiRouters: [records] }),
    0,
    '127.0.0.1',
  );
  const warmed = await fetchRecord(`${failing.url}/v1/records`);
  if (warmed.status !== 200) throw new Error(`the records route failed before the drop: ${warmed.body}`);
  await doomed.sequelize.query('DROP TABLE doomed_records');
  const failed = await fetchRecord(`${failing.url}/v1/records`);
  const unhandledErrors = (await doomed.metrics.render())
    .split('\n')
    .filter((line) => line.startsWith('carewatch_errors_unhandled_total'))
    .join('\n');

  await Promise.all([served.drain(1_000), failing.drain(1_000)]);
  return {
    result: {
      logs: [...runtime.logLines(), ...doomed.logLines()],
      fresh,
      continued,
      unsampled,
      unrouted,
      auditedTraceIds,
      failed,
      outgoing,
      unhandledErrors,
    },
    async close() {
      await Promise.allSettled([runtime.close(), doomed.close()]);
      await stopTestServer();
    },
  };
}
