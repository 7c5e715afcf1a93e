import type { Attributes, Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-node';

/**
 * Span attributes that may leave the process. Everything else is dropped: an attribute nobody listed here
 * (a new instrumentation version, a header, a client address) never reaches the trace backend unreviewed.
 * Client addresses and user agents are left out on purpose: an IP address is a HIPAA identifier.
 */
const ALLOWED_ATTRIBUTES = new Set([
  // HTTP server spans (old and stable semantic conventions).
  'http.method',
  'http.request.method',
  'http.scheme',
  'url.scheme',
  'http.target',
  'url.path',
  'http.url',
  'url.full',
  'http.host',
  'http.flavor',
  'network.protocol.version',
  'http.status_code',
  'http.response.status_code',
  'http.route',
  'net.host.name',
  'net.host.port',
  'server.address',
  'server.port',
  'error.type',
  // Database and cache client spans.
  'db.system',
  'db.system.name',
  'db.name',
  'db.namespace',
  'db.user',
  'db.connection_string',
  'db.statement',
  'db.query.text',
  'db.operation.name',
  'net.peer.name',
  'net.peer.port',
]);

/** Attributes whose values are URLs or paths: their query string may carry search terms. */
const URL_ATTRIBUTES = new Set(['http.target', 'url.path', 'http.url', 'url.full']);

/** Statements are recorded, never the values in them: these are masked even when a query inlines them. */
const STATEMENT_ATTRIBUTES = new Set(['db.statement', 'db.query.text']);

// E'' strings (backslash escapes), quoted strings ('' escapes), dollar-quoted bodies, and numbers that
// stand alone (not part of an identifier or a $1 placeholder).
const SQL_LITERALS =
  // eslint-disable-next-line security/detect-unsafe-regex -- reviewed: every repetition consumes distinct characters, so matching stays linear
  /\b[Ee]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$|(?<![\w$."])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/g;

/** The statement with every literal replaced by `?`: its shape stays readable, its values do not leave. */
export function maskSqlLiterals(statement: string): string {
  return statement.replace(SQL_LITERALS, '?');
}

export function withoutQueryString(url: string): string {
  const cut = url.search(/[?#]/);
  return cut < 0 ? url : url.slice(0, cut);
}

/** Drops every attribute nobody listed, and cuts or masks the values of those that were listed. */
function scrubAttributes(attributes: Attributes): void {
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (!ALLOWED_ATTRIBUTES.has(key)) delete attributes[key];
    else if (typeof value === 'string' && URL_ATTRIBUTES.has(key))
      attributes[key] = withoutQueryString(value);
    else if (typeof value === 'string' && STATEMENT_ATTRIBUTES.has(key))
      attributes[key] = maskSqlLiterals(value);
  }
}

/**
 * Makes the span fit to leave the process, in place, as it ends and before any processor sees it.
 * Error messages and stack traces are dropped from exception events and from the status: they quote
 * values (a constraint violation repeats the row). The log line of the same trace id holds the
 * redacted stack.
 */
function scrubSpan(span: Span): void {
  scrubAttributes(span.attributes);
  for (const event of span.events)
    event.attributes =
      event.name === 'exception' ? { 'exception.type': event.attributes?.['exception.type'] ?? 'Error' } : {};
  // Only an error status has a message; setting it again without one keeps the code.
  if (span.status.message !== undefined) span.setStatus({ code: span.status.code });
}

/**
 * Scrubs each span as it ends, then hands it to the processor that exports it. In place rather than on
 * a copy: a copy per span cost more than the rest of the span's life on a PHI read.
 */
export class PrivacySpanProcessor implements SpanProcessor {
  constructor(private readonly exporting: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.exporting.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    scrubSpan(span);
  }

  onEnd(span: ReadableSpan): void {
    this.exporting.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.exporting.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.exporting.shutdown();
  }
}
