package dev.handoff.web;

import dev.handoff.resilience.Causes;
import io.smallrye.mutiny.CompositeException;
import java.util.concurrent.CompletionException;

/** Reactive pipelines wrap failures; this finds the one that matters. */
public final class Failures {

    public static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while (true) {
            if (current instanceof CompositeException composite && !composite.getCauses().isEmpty()) {
                current = composite.getCauses().get(0);
            } else if ((current instanceof CompletionException || current.getClass() == RuntimeException.class)
                    && current.getCause() != null && current.getCause() != current) {
                current = current.getCause();
            } else {
                return current;
            }
        }
    }

    /** True when the failure, or anything it wraps, is of the given type ({@link Causes#has}). */
    public static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        return Causes.has(failure, type);
    }

    private Failures() {
    }
}
