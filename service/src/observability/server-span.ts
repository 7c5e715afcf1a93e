import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import type { Context, Middleware } from 'koa';
import { matchedRoute } from './http-telemetry';
import { withUnrecordedTrace } from './trace-ids';

/** What the span says about the request: the path without its query string, never headers or addresses. */
function requestAttributes(ctx: Context): Attributes {
  return {
    'http.request.method': ctx.method,
    'url.scheme': ctx.protocol,
    'url.path': ctx.path,
    'server.address': ctx.hostname,
    'network.protocol.version': ctx.req.httpVersion,
  };
}

/** Named and described once the route and the status are known: when the response is sent or abandoned. */
function endWithResponse(span: Span, ctx: Context): void {
  ctx.res.once('close', () => {
    const status = ctx.res.statusCode;
    span.setAttribute('http.response.status_code', status);
    // Without a route the name stays the bare method (semantic conventions): a raw path carries ids.
    const route = matchedRoute(ctx);
    if (route) {
      span.updateName(`${ctx.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    if (status >= 500) {
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    } else if (!ctx.res.writableFinished) {
      span.setAttribute('error.type', 'aborted');
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  });
}

/**
 * The request's server span, continuing the caller's W3C trace context, active for every middleware
 * after this one (their database and Redis spans hang under it, their log lines carry its ids).
 *
 * This replaces the incoming side of the HTTP instrumentation, which does its full work (attributes,
 * wrapped request and response emitters, listeners) for every request, recorded or not: at the
 * production default of 10 % that cost a PHI read about a quarter of its throughput. Here a request
 * that is not sampled costs one context switch: its trace ids reach the logs and audit events, but its
 * database and Redis calls are not instrumented at all. Its outgoing HTTP calls carry no traceparent
 * (the HTTP instrumentation, too, traces only under an active span): a service it calls makes its own
 * sampling decision for them.
 */
export function serverSpan(): Middleware {
  const tracer = trace.getTracer('carewatch-http-server');
  return (ctx, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, ctx.headers);
    const span = tracer.startSpan(ctx.method, { kind: SpanKind.SERVER }, parent);
    const recording = span.isRecording();
    if (recording) {
      span.setAttributes(requestAttributes(ctx));
      endWithResponse(span, ctx);
    }
    const active = recording ? trace.setSpan(parent, span) : withUnrecordedTrace(parent, span.spanContext());
    return context.with(active, next);
  };
}
