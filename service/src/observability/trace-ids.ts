import {
  context,
  createContextKey,
  isSpanContextValid,
  trace,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';

const UNRECORDED_TRACE = createContextKey('carewatch.unrecorded-trace');

/**
 * The context for work of a trace this process does not record: its ids travel with it, but no span is
 * active, so the pg and ioredis instrumentations (which trace only under an active span) skip their
 * calls entirely instead of building spans that record nothing.
 */
export function withUnrecordedTrace(parent: Context, ids: SpanContext): Context {
  return parent.setValue(UNRECORDED_TRACE, ids);
}

/** The trace and span of the work in progress, recorded or not, for log lines and audit events. */
export function currentTraceIds(): SpanContext | undefined {
  const active = context.active();
  const ids =
    trace.getSpan(active)?.spanContext() ?? (active.getValue(UNRECORDED_TRACE) as SpanContext | undefined);
  return ids && isSpanContextValid(ids) ? ids : undefined;
}
