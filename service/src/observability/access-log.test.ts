import { randomBytes, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ROOT_CONTEXT, TraceFlags, context, trace } from '@opentelemetry/api';
import { expect } from 'chai';
import { enableAsyncContext } from '../../test/support/async-context';
import { useTestApp } from '../../test/support/test-app';
import type { AccessLine } from './access-log';
import { batchedOutput } from './batched-output';
import { createLogger } from './logger';

/** A logger writing to `output` (or straight to the capture), and what reached the capture so far. */
function capturedLogger(level: string, wrap?: (capture: PassThrough) => NodeJS.WritableStream) {
  const capture = new PassThrough();
  const chunks: string[] = [];
  capture.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const logger = createLogger({ level, stream: wrap ? wrap(capture) : capture });
  const lines = () => chunks.join('').split('\n').filter(Boolean);
  return { logger, chunks, lines };
}

const line = (overrides: Partial<AccessLine> = {}): AccessLine => ({
  // A caller may choose its request id; plain characters can still spell an SSN, which is scrubbed.
  requestId: 'caller-123-45-6789',
  method: 'GET',
  route: '/v1/patients/:patientId',
  status: 200,
  durationMs: 1.234,
  userId: randomUUID(),
  ...overrides,
});

const withoutTimestamp = (text: string) => {
  const { timestamp, ...rest } = JSON.parse(text) as Record<string, unknown>;
  expect(timestamp)
    .to.be.a('string')
    .and.equal(new Date(timestamp as string).toISOString());
  return rest;
};

describe('access log line', () => {
  describe('against the winston logger', () => {
    let disableContext: () => void;
    before(() => {
      disableContext = enableAsyncContext();
    });
    after(() => disableContext());

    it('says what logger.info would, in the same order, with the trace ids of the active sampled span', () => {
      const { logger, chunks, lines } = capturedLogger('info');
      const [traceId, spanId] = [randomBytes(16).toString('hex'), randomBytes(8).toString('hex')];
      const sampled = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
      const access = line();
      context.with(sampled, () => {
        logger.info('request', { kind: 'access', ...access });
        logger.access(access);
      });
      expect(chunks).to.have.length(2, 'one write per line');
      const [fromWinston, fromWriter] = lines().map(withoutTimestamp);
      expect(fromWriter).to.deep.equal(fromWinston);
      expect(Object.keys(fromWriter!)).to.deep.equal(Object.keys(fromWinston!));
      expect(fromWriter).to.include({
        kind: 'access',
        level: 'info',
        message: 'request',
        service: 'carewatch',
        requestId: 'caller-[ssn]',
        trace_id: traceId,
        span_id: spanId,
        userId: access.userId,
      });
    });

    it('leaves the trace ids and an absent user out as the logger does, outside a trace', () => {
      const { logger, lines } = capturedLogger('info');
      const access = line({ userId: undefined, status: 404 });
      logger.info('request', { kind: 'access', ...access });
      logger.access(access);
      const [fromWinston, fromWriter] = lines().map(withoutTimestamp);
      expect(fromWriter).to.deep.equal(fromWinston);
      expect(fromWriter).not.to.have.any.keys('trace_id', 'span_id', 'userId');
    });
  });

  it("honours the logger's level, also when it changes", () => {
    const { logger, lines } = capturedLogger('warn');
    logger.access(line({ requestId: 'while-at-warn' }));
    logger.level = 'info';
    logger.access(line({ requestId: 'back-at-info' }));
    logger.level = 'error';
    logger.access(line({ requestId: 'while-at-error' }));
    expect(lines().map((text) => (JSON.parse(text) as { requestId: string }).requestId)).to.deep.equal([
      'back-at-info',
    ]);
  });

  it("keeps lines whole and in order among the logger's on the batched output, under concurrency", async () => {
    const { logger, lines } = capturedLogger('info', (capture) => batchedOutput(capture));
    const tasks = Array.from({ length: 200 }, async (_, task) => {
      for (let turn = 0; turn < task % 3; turn += 1) await nextTurn();
      logger.warn('slow dependency', { task });
      await nextTurn();
      logger.access(line({ requestId: `task-${task}` }));
    });
    await Promise.all(tasks);
    await nextTurn();
    await nextTurn();
    const parsed = lines().map((text) => JSON.parse(text) as { task?: number; requestId?: string });
    expect(parsed).to.have.length(400);
    for (let task = 0; task < 200; task += 1) {
      const warned = parsed.findIndex((entry) => entry.task === task);
      const accessed = parsed.findIndex((entry) => entry.requestId === `task-${task}`);
      expect(warned, `task ${task}`).to.be.within(0, accessed - 1);
    }
  });

  describe('through the service', () => {
    const testApp = useTestApp();
    const accessLineOf = (requestId: string) => {
      const found = testApp.runtime.logLines().filter((entry) => entry.requestId === requestId);
      expect(found).to.have.length(1);
      return found[0]!;
    };

    it('carries the route template, never the ids of the path, the query or the body', async () => {
      const [provider, patient] = [await testApp.provider(), await testApp.patient()];
      const read = `phi-read-${randomUUID()}`;
      await testApp
        .http()
        .get(`/v1/patients/${patient.userId}`)
        .query({ email: patient.email, dateOfBirth: '1961-04-12' })
        .set(provider.headers)
        .set('X-Request-Id', read);
      const readLine = accessLineOf(read);
      expect(readLine).to.include({ route: '/v1/patients/:patientId', userId: provider.userId });

      const update = `phi-update-${randomUUID()}`;
      const givenName = `Zebulon${randomBytes(4).toString('hex')}`;
      await testApp
        .http()
        .patch('/v1/patients/me')
        .set(patient.headers)
        .set('X-Request-Id', update)
        .send({ givenName, phone: '+1 555 0100 123' });
      const updateLine = accessLineOf(update);
      expect(updateLine).to.include({ route: '/v1/patients/me', method: 'PATCH', userId: patient.userId });

      const fromRequests = [patient.email, '1961-04-12', givenName, '555 0100'];
      // The patient's id is the update's user, so it belongs in that line; in the read's it is data.
      for (const phi of [...fromRequests, patient.userId])
        expect(JSON.stringify(readLine)).not.to.include(phi);
      for (const phi of fromRequests) expect(JSON.stringify(updateLine)).not.to.include(phi);
    });

    it('writes one well-formed line per request when requests run together', async () => {
      const ids = Array.from({ length: 40 }, (_, index) => `together-${index}-${randomUUID()}`);
      await Promise.all(ids.map((id) => testApp.http().get('/readyz').set('X-Request-Id', id)));
      for (const id of ids)
        expect(accessLineOf(id)).to.include({ kind: 'access', route: '/readyz', status: 200 });
    });
  });
});
