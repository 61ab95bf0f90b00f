package dev.handoff.resilience;

import io.smallrye.mutiny.CompositeException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The one walk over what a failure wraps: its causes and the failures of a {@link CompositeException} (Mutiny's
 * joins and retries), each seen once (cycles are cut) and at most {@link #MAX_FAILURES} of them. Suppressed failures
 * (a rollback that failed after the real failure, say) are only looked at when asked for: they are not what the
 * failure is about, and an outage among them must not turn a 429 into a 503.
 */
public final class Causes {

    /** A bound for pathological chains; real ones are a handful deep. */
    static final int MAX_FAILURES = 64;

    /** True when the failure, or anything it wraps, satisfies {@code test}. */
    public static boolean any(Throwable failure, Predicate<Throwable> test) {
        return first(failure, test).isPresent();
    }

    /** {@link #any}, suppressed failures included. */
    public static boolean anyIncludingSuppressed(Throwable failure, Predicate<Throwable> test) {
        return walk(failure, test, true).isPresent();
    }

    /** True when the failure, or anything it wraps, is of the given type. */
    public static boolean has(Throwable failure, Class<? extends Throwable> type) {
        return any(failure, type::isInstance);
    }

    /** The first failure of the given type, the failure itself first, then what it wraps (breadth first). */
    public static <T extends Throwable> Optional<T> find(Throwable failure, Class<T> type) {
        return first(failure, type::isInstance).map(type::cast);
    }

    /** The first failure that satisfies {@code test}, the failure itself first, then what it wraps (breadth first). */
    public static Optional<Throwable> first(Throwable failure, Predicate<Throwable> test) {
        return walk(failure, test, false);
    }

    private static Optional<Throwable> walk(Throwable failure, Predicate<Throwable> test, boolean suppressed) {
        Deque<Throwable> todo = new ArrayDeque<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        if (failure != null) {
            todo.add(failure);
        }
        while (!todo.isEmpty() && seen.size() < MAX_FAILURES) {
            Throwable t = todo.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (test.test(t)) {
                return Optional.of(t);
            }
            if (t instanceof CompositeException composite) {
                todo.addAll(composite.getCauses());
            }
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            if (suppressed) {
                todo.addAll(java.util.List.of(t.getSuppressed()));
            }
        }
        return Optional.empty();
    }

    private Causes() {
    }
}
