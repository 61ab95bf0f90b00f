package dev.handoff.run.service;

import dev.handoff.web.Failures;
import io.smallrye.mutiny.CompositeException;
import io.vertx.pgclient.PgException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import org.hibernate.StaleStateException;
import org.hibernate.exception.ConstraintViolationException;

/** Recognises the failures of concurrent writers, however deeply the reactive stack wrapped them. */
public final class Conflicts {

    private static final String UNIQUE_VIOLATION = "23505";

    /** Lost on an optimistic {@code @Version} check. */
    public static boolean isOptimisticLock(Throwable failure) {
        return Failures.causedBy(failure, jakarta.persistence.OptimisticLockException.class)
                || Failures.causedBy(failure, StaleStateException.class);
    }

    /** Lost on a unique index or primary key (another transaction inserted the same key first). */
    public static boolean isUniqueViolation(Throwable failure) {
        return any(failure, t -> t instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
                || t instanceof ConstraintViolationException c
                        && (c.getKind() == ConstraintViolationException.ConstraintKind.UNIQUE
                                || UNIQUE_VIOLATION.equals(c.getSQLState())));
    }

    /** A concurrent launch on the same task won: on the version, the task's row or the one-active-run index. */
    public static boolean isLostLaunchRace(Throwable failure) {
        return isOptimisticLock(failure) || isUniqueViolation(failure);
    }

    private static boolean any(Throwable failure, Predicate<Throwable> test) {
        Deque<Throwable> todo = new ArrayDeque<>();
        Set<Throwable> seen = new HashSet<>();
        todo.push(failure);
        while (!todo.isEmpty()) {
            Throwable t = todo.pop();
            if (t == null || !seen.add(t)) {
                continue;
            }
            if (test.test(t)) {
                return true;
            }
            if (t instanceof CompositeException composite) {
                composite.getCauses().forEach(todo::push);
            }
            todo.push(t.getCause());
            for (Throwable suppressed : t.getSuppressed()) {
                todo.push(suppressed);
            }
        }
        return false;
    }

    private Conflicts() {
    }
}
