package dev.handoff.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.CompositeException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class CausesTest {

    @Test
    void findsAFailureWrappedInCausesCompositesAndSuppressed() {
        IllegalStateException deep = new IllegalStateException("deep");
        RuntimeException suppressing = new RuntimeException("outer");
        suppressing.addSuppressed(new IOException("io", deep));
        Throwable failure = new CompletionException(new CompositeException(new IllegalArgumentException("first"), suppressing));

        assertFalse(Causes.has(failure, IllegalStateException.class), "suppressed ones only when asked for");
        assertTrue(Causes.anyIncludingSuppressed(failure, t -> t == deep));
        assertTrue(Causes.any(failure, t -> "first".equals(t.getMessage())));
        assertFalse(Causes.has(failure, UnsupportedOperationException.class));
    }

    @Test
    void theFailureItselfComesFirstAndCyclesEnd() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertEquals(a, Causes.first(a, RuntimeException.class::isInstance).orElseThrow());
        assertFalse(Causes.any(a, t -> t instanceof IOException));
        assertFalse(Causes.any(null, t -> true));
    }
}
