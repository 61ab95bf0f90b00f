package dev.handoff.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.junit.jupiter.api.Test;

class TraceContextTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    @Test
    void theCurrentSpansContextIsKeptAsW3cHeadersAndRestoredAsTheParent() {
        SpanContext span = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(),
                TraceState.builder().put("vendor", "value").build());
        TraceContext kept;
        try (Scope ignored = Context.root().with(Span.wrap(span)).makeCurrent()) {
            kept = TraceContext.current();
        }
        assertEquals("00-" + TRACE + "-" + SPAN + "-01", kept.traceparent());
        assertEquals("vendor=value", kept.tracestate());

        SpanContext restored = Span.fromContext(kept.restore()).getSpanContext();
        assertTrue(restored.isRemote());
        assertEquals(TRACE, restored.getTraceId());
        assertEquals(SPAN, restored.getSpanId());
        assertEquals("value", restored.getTraceState().get("vendor"));
    }

    @Test
    void noSpanKeepsNothingAndRestoresTheRoot() {
        TraceContext kept = TraceContext.of(Context.root());
        assertSame(TraceContext.NONE, kept);
        assertFalse(kept.isPresent());
        assertSame(Context.root(), kept.restore());
    }

    @Test
    void aMalformedTraceparentRestoresNoParent() {
        Context restored = new TraceContext("00-not-a-trace-01", null).restore();
        assertFalse(Span.fromContext(restored).getSpanContext().isValid());
    }
}
