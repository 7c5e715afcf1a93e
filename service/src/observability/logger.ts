import winston from 'winston';
import { batchedOutput } from './batched-output';
import { REDACTED, isPhiKey, redact } from './redact';
import { currentTraceIds } from './trace-ids';

export type Logger = winston.Logger;

/** Joins every line to its trace so a log line leads to the request's spans and back. */
const traceContext = winston.format((info) => {
  const spanContext = currentTraceIds();
  if (spanContext) {
    info.trace_id = spanContext.traceId;
    info.span_id = spanContext.spanId;
  }
  return info;
});

// Mutates in place: winston keeps its own state under symbol keys that a copy would lose.
const redactPhi = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'timestamp') continue;
    info[key] = isPhiKey(key) ? REDACTED : redact(info[key]);
  }
  return info;
});

export interface LoggerOptions {
  readonly level: string;
  readonly stream?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return winston.createLogger({
    level: options.level,
    defaultMeta: { service: 'carewatch' },
    format: winston.format.combine(
      winston.format.timestamp(),
      traceContext(),
      redactPhi(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Stream({ stream: options.stream ?? batchedOutput() })],
  });
}
