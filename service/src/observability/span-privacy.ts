import type { Context } from '@opentelemetry/api';
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
  /\b[Ee]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$|(?<![\w$."])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/g;

/** The statement with every literal replaced by `?`: its shape stays readable, its values do not leave. */
export function maskSqlLiterals(statement: string): string {
  return statement.replace(SQL_LITERALS, '?');
}

export function withoutQueryString(url: string): string {
  const cut = url.search(/[?#]/);
  return cut < 0 ? url : url.slice(0, cut);
}

function cleanAttributes(attributes: ReadableSpan['attributes']): ReadableSpan['attributes'] {
  const kept: Record<string, ReadableSpan['attributes'][string]> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (!ALLOWED_ATTRIBUTES.has(key)) continue;
    if (typeof value === 'string' && URL_ATTRIBUTES.has(key)) kept[key] = withoutQueryString(value);
    else if (typeof value === 'string' && STATEMENT_ATTRIBUTES.has(key)) kept[key] = maskSqlLiterals(value);
    else kept[key] = value;
  }
  return kept;
}

/**
 * What an ended span may say about itself. Error messages and stack traces are dropped from exception
 * events and from the status: they quote values (a constraint violation repeats the row). The log line
 * of the same trace id holds the redacted stack.
 */
export function privateView(span: ReadableSpan): ReadableSpan {
  const events = span.events.map((event) =>
    event.name === 'exception'
      ? { ...event, attributes: { 'exception.type': event.attributes?.['exception.type'] ?? 'Error' } }
      : { ...event, attributes: {} },
  );
  // The prototype is the span itself, so its methods (spanContext) and getters keep working.
  return Object.create(span, {
    attributes: { value: cleanAttributes(span.attributes), enumerable: true },
    events: { value: events, enumerable: true },
    status: { value: { code: span.status.code }, enumerable: true },
  }) as ReadableSpan;
}

/** Hands only the private view of each span to the processor that exports it. */
export class PrivacySpanProcessor implements SpanProcessor {
  constructor(private readonly exporting: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.exporting.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.exporting.onEnd(privateView(span));
  }

  forceFlush(): Promise<void> {
    return this.exporting.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.exporting.shutdown();
  }
}
