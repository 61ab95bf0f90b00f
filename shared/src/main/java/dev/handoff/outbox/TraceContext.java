package dev.handoff.outbox;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.Map;

/**
 * A W3C trace context ({@code traceparent}, {@code tracestate}) kept in a row, so that work done later, elsewhere
 * (the outbox relay's send, an SSE write) continues the trace of the change that wrote the row instead of starting
 * its own. Both fields are null when there was no valid trace to keep.
 */
public record TraceContext(String traceparent, String tracestate) {

    /** No trace: nothing is restored. */
    public static final TraceContext NONE = new TraceContext(null, null);

    private static final TextMapGetter<Map<String, String>> FROM_MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    /** The trace of the caller's current span (OpenTelemetry's current context), or {@link #NONE}. */
    public static TraceContext current() {
        return of(Context.current());
    }

    public static TraceContext of(Context context) {
        if (!Span.fromContext(context).getSpanContext().isValid()) {
            return NONE;
        }
        Map<String, String> headers = new HashMap<>(2);
        W3CTraceContextPropagator.getInstance().inject(context, headers, Map::put);
        String state = headers.get("tracestate");
        return new TraceContext(headers.get("traceparent"), state == null || state.isEmpty() ? null : state);
    }

    public boolean isPresent() {
        return traceparent != null;
    }

    /**
     * The kept trace as a parent context (a remote span context), or the root context when there is none or it is
     * malformed (the propagator ignores what it cannot read).
     */
    public Context restore() {
        if (traceparent == null) {
            return Context.root();
        }
        Map<String, String> headers = new HashMap<>(2);
        headers.put("traceparent", traceparent);
        if (tracestate != null) {
            headers.put("tracestate", tracestate);
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, FROM_MAP);
    }
}
