import type winston from 'winston';
import { redactString } from './redact';
import { currentTraceIds } from './trace-ids';

/** What the access line of one request says. */
export interface AccessLine {
  readonly requestId: string | undefined;
  readonly method: string;
  /** The route template, never the raw path: raw paths carry ids, and queries anything. */
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
  readonly userId: string | undefined;
}

export type AccessLog = (line: AccessLine) => void;

/**
 * Writes the access line of a request straight to the log's destination, as the winston logger would
 * write `logger.info('request', { kind: 'access', ... })`: the same fields under the same names, in the
 * same (sorted) order, with the logger's default fields, timestamp and trace ids, subject to its level.
 * The logger's stream pipeline, format chain and regex redaction cost tens of microseconds per line, the
 * largest single cost of logging per request; this line needs none of them:
 * - its fields are typed and none is free text: the method is one Node's HTTP parser accepts (it refuses
 *   others before Koa sees them), the route a template of our routers, the user id a uuid from the
 *   session, status and duration numbers; so the scrubbing of PHI-looking text has nothing to find;
 * - the request id alone may come from the caller (X-Request-Id, checked to be short plain characters),
 *   and plain characters can still spell a date or an SSN, so it is scrubbed as every logged string is.
 * One write per line to the same destination as the logger's keeps lines whole and in order among the
 * logger's (whose Stream transport writes each line with one write, synchronously).
 */
export function accessLog(
  logger: winston.Logger,
  destination: NodeJS.WritableStream,
  service: string,
): AccessLog {
  return (line) => {
    if (logger.silent || !logger.isLevelEnabled('info')) return;
    const trace = currentTraceIds();
    const entry = {
      durationMs: line.durationMs,
      kind: 'access',
      level: 'info',
      message: 'request',
      method: line.method,
      requestId: line.requestId === undefined ? undefined : redactString(line.requestId),
      route: line.route,
      service,
      span_id: trace?.spanId,
      status: line.status,
      timestamp: new Date().toISOString(),
      trace_id: trace?.traceId,
      userId: line.userId,
    };
    destination.write(`${JSON.stringify(entry)}\n`);
  };
}
