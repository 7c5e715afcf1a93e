import { trace } from '@opentelemetry/api';
import winston from 'winston';
import { REDACTED, isPhiKey, redact } from './redact';

export type Logger = winston.Logger;

/**
 * Joins every line to its trace so a log line leads to the request's spans and back. These are getters
 * on the default metadata, which winston copies when `log` is called: formats run later when the stream
 * is backed up, by then in some other request's context.
 */
const defaultMeta = {
  service: 'carewatch',
  get trace_id() {
    return trace.getActiveSpan()?.spanContext().traceId;
  },
  get span_id() {
    return trace.getActiveSpan()?.spanContext().spanId;
  },
};

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
    defaultMeta,
    format: winston.format.combine(winston.format.timestamp(), redactPhi(), winston.format.json()),
    transports: [
      options.stream
        ? new winston.transports.Stream({ stream: options.stream })
        : new winston.transports.Console(),
    ],
  });
}
