import winston from 'winston';
import { accessLog, type AccessLog } from './access-log';
import { batchedOutput } from './batched-output';
import { REDACTED, isPhiKey, redact } from './redact';
import { currentTraceIds } from './trace-ids';

/** winston's logger, with the per-request access line written beside it (see access-log.ts). */
export type Logger = winston.Logger & { readonly access: AccessLog };

const SERVICE = 'carewatch';

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
  const destination = options.stream ?? batchedOutput();
  const logger = winston.createLogger({
    level: options.level,
    defaultMeta: { service: SERVICE },
    format: winston.format.combine(
      winston.format.timestamp(),
      traceContext(),
      redactPhi(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Stream({ stream: destination })],
  });
  return Object.assign(logger, { access: accessLog(logger, destination, SERVICE) });
}
