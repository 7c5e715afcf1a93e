import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { expect } from 'chai';
import type { HarnessResult, SpanRecord } from '../../test/support/traced-requests';
import {
  CALLER_SPAN_ID,
  CALLER_TRACE_ID,
  UNSAMPLED_TRACE_ID,
  type ResponseRecord,
} from '../../test/support/traced-scenarios';

/** The harness runs in its own process: the instrumentations must be in place before koa and pg load. */
async function runHarness(): Promise<HarnessResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'service/test/support/traced-requests.ts'],
    { env: process.env, maxBuffer: 64 * 1024 * 1024 },
  );
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('RESULT '));
  if (!line) throw new Error(`the harness printed no result:\n${stdout}`);
  return JSON.parse(line.slice('RESULT '.length)) as HarnessResult;
}

function serverSpanOf(result: HarnessResult, response: ResponseRecord): SpanRecord {
  const access = result.logs.find((log) => log.kind === 'access' && log.requestId === response.requestId);
  expect(access, 'the access log line of the request').to.exist;
  const span = result.spans.find((candidate) => candidate.spanId === access?.span_id);
  expect(span, 'the span named by the access log line').to.exist;
  return span!;
}

/** The spans below `root`, following parent ids. */
function descendants(spans: SpanRecord[], root: SpanRecord): SpanRecord[] {
  const children = spans.filter((span) => span.parentSpanId === root.spanId);
  return children.flatMap((child) => [child, ...descendants(spans, child)]);
}

describe('tracing (in a child process, with an in-memory exporter)', function () {
  this.timeout(90_000);
  let result: HarnessResult;

  before(async () => {
    result = await runHarness();
  });

  it('makes one server span per request, named by the route template, with pg and Redis spans under it', () => {
    expect(result.fresh.status).to.equal(200);
    const server = serverSpanOf(result, result.fresh);
    expect(server.kind).to.equal(SpanKind.SERVER);
    expect(server.parentSpanId).to.equal(undefined);
    expect(server.name).to.equal('GET /readyz');
    expect(server.attributes['http.route']).to.equal('/readyz');
    expect(server.attributes['http.response.status_code']).to.equal(200);
    const serverSpansOfTrace = result.spans.filter(
      (span) => span.traceId === server.traceId && span.kind === SpanKind.SERVER,
    );
    expect(serverSpansOfTrace).to.have.length(1);

    const below = descendants(result.spans, server);
    expect(below.every((span) => span.traceId === server.traceId)).to.equal(true);
    const statements = below.map((span) => span.attributes['db.query.text']);
    // Readiness: a connectivity check, the migration check (umzug reads its table), and a Redis ping.
    expect(statements).to.include('SELECT ?');
    expect(statements.some((text) => String(text).includes('FROM "schema_migrations"'))).to.equal(true);
    // Without TEST_REDIS_URL the cache is in-process and there is no Redis to ping.
    if (process.env.TEST_REDIS_URL) expect(statements).to.include('ping');
    // Statement, database and server: no parameter values, no other attributes.
    const clientAttributes = ['db.system.name', 'db.namespace', 'db.query.text', 'db.operation.name'];
    for (const span of below.filter((candidate) => candidate.kind === SpanKind.CLIENT)) {
      for (const key of Object.keys(span.attributes))
        expect([...clientAttributes, 'server.address', 'server.port'], key).to.include(key);
    }
  });

  it('names the span of a request no route matched by its method alone', () => {
    expect(result.unrouted.status).to.equal(404);
    const server = serverSpanOf(result, result.unrouted);
    expect(server.name).to.equal('GET');
    expect(server.attributes['http.route']).to.equal(undefined);
    expect(server.attributes['http.response.status_code']).to.equal(404);
  });

  it('keeps query strings, client addresses and headers out of span attributes', () => {
    const server = serverSpanOf(result, result.fresh);
    expect(server.attributes['url.path']).to.equal('/readyz');
    const everything = JSON.stringify(result.spans);
    // 1961 as a whole word: trace and span ids (hex) and timestamps hold those four digits by chance.
    expect(everything).not.to.match(/Zebulon|Quixote|\b1961\b/);
    const keys = new Set(result.spans.flatMap((span) => Object.keys(span.attributes)));
    for (const forbidden of ['url.query', 'client.address', 'network.peer.address', 'user_agent.original'])
      expect(keys, forbidden).not.to.include(forbidden);
    expect([...keys].filter((key) => key.startsWith('http.request.header'))).to.deep.equal([]);
  });

  it('records statements with their literals masked', () => {
    const literal = result.spans.find((span) =>
      String(span.attributes['db.query.text']).includes('AS given_name'),
    );
    expect(literal?.attributes['db.query.text']).to.equal('SELECT ? AS given_name, ? AS born');
  });

  it('continues the trace of an incoming traceparent header', () => {
    const server = serverSpanOf(result, result.continued);
    expect(server.traceId).to.equal(CALLER_TRACE_ID);
    expect(server.parentSpanId).to.equal(CALLER_SPAN_ID);
  });

  it('records nothing of a trace its caller does not record, yet logs its trace id', () => {
    expect(result.unsampled.status).to.equal(200);
    expect(result.spans.filter((span) => span.traceId === UNSAMPLED_TRACE_ID)).to.deep.equal([]);
    const lines = result.logs.filter((log) => log.requestId === result.unsampled.requestId);
    expect(lines.length).to.be.greaterThan(0);
    for (const line of lines) expect(line.trace_id).to.equal(UNSAMPLED_TRACE_ID);
  });

  it('stores the trace id with the audit events of a PHI read, recorded or not', () => {
    expect(result.auditedTraceIds).to.deep.equal({
      sampled: CALLER_TRACE_ID,
      unsampled: UNSAMPLED_TRACE_ID,
    });
  });

  it('sends a traceparent header on outgoing HTTP calls', () => {
    const { traceparent, traceId } = result.outgoing;
    expect(traceparent).to.match(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const client = result.spans.find((span) => span.spanId === traceparent?.split('-')[2]);
    expect(client?.kind).to.equal(SpanKind.CLIENT);
  });

  it('puts the trace and span ids of the request in its log lines', () => {
    for (const response of [result.fresh, result.continued, result.failed]) {
      const server = serverSpanOf(result, response);
      const lines = result.logs.filter((log) => log.requestId === response.requestId);
      expect(lines.length).to.be.greaterThan(0);
      for (const line of lines) expect(line.trace_id).to.equal(server.traceId);
    }
  });

  describe('an unexpected error (a table is dropped under a route that reads it)', () => {
    it('answers 500 problem+json that reveals nothing', () => {
      expect(result.failed.status).to.equal(500);
      expect(result.failed.contentType).to.equal('application/problem+json');
      expect(result.failed.body).not.to.match(/Sequelize|does not exist|at .*\.js/);
    });

    it('is logged once, with its stack, request id and trace id, and counted', () => {
      const server = serverSpanOf(result, result.failed);
      const errors = result.logs.filter(
        (log) => log.level === 'error' && log.requestId === result.failed.requestId,
      );
      expect(errors).to.have.length(1);
      const [logged] = errors as [Record<string, unknown> & { error: { stack?: string } }];
      expect(logged.message).to.equal('unexpected error');
      expect(logged.route).to.equal('/v1/records');
      expect(logged.error.stack).to.include('at Query.run');
      expect(logged.trace_id).to.equal(server.traceId);
      // Both kinds exist from the start at 0 (issue 12, point 3); only the request error was counted.
      expect(result.unhandledErrors).to.equal(
        'carewatch_errors_unhandled_total{kind="process"} 0\ncarewatch_errors_unhandled_total{kind="request"} 1',
      );
    });

    it('marks the server span as failed, with the error type but not its message', () => {
      const server = serverSpanOf(result, result.failed);
      expect(server.status.code).to.equal(SpanStatusCode.ERROR);
      expect(server.attributes['http.response.status_code']).to.equal(500);
      const exceptions = [server, ...descendants(result.spans, server)].flatMap((span) => span.events);
      expect(exceptions).to.deep.include({
        name: 'exception',
        attributes: { 'exception.type': 'SequelizeDatabaseError' },
      });
      expect(JSON.stringify(result.spans)).not.to.include('does not exist');
    });
  });
});
