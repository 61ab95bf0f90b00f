package dev.handoff.run.service;

import dev.handoff.resilience.Causes;
import dev.handoff.web.Failures;
import io.vertx.pgclient.PgException;
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
        return Causes.anyIncludingSuppressed(failure, t -> t instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
                || t instanceof ConstraintViolationException c
                        && (c.getKind() == ConstraintViolationException.ConstraintKind.UNIQUE
                                || UNIQUE_VIOLATION.equals(c.getSQLState())));
    }

    /** A concurrent launch on the same task won: on the version, the task's row or the one-active-run index. */
    public static boolean isLostLaunchRace(Throwable failure) {
        return isOptimisticLock(failure) || isUniqueViolation(failure);
    }

    private Conflicts() {
    }
}
