package dev.handoff.resilience;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Tells a passing outage (a database, broker or secret store that does not answer right now, a lost connection, a
 * lock conflict) from a failure that will happen again with the same input. A message that failed for an outage is
 * retried until it goes through, never dead-lettered; a request that failed for one is answered 503, never 500.
 */
public final class Outage {

    /** SQLSTATE classes and codes that say "not now" rather than "never". */
    private static final Set<String> OUTAGE_SQLSTATE_CLASSES = Set.of("08", "53", "57", "58");
    /** Serialization failure, deadlock, lock not available: a lost race, which the next attempt wins. */
    private static final Set<String> CONTENTION_SQLSTATES = Set.of("40001", "40P01", "55P03");
    private static final Set<String> CONTENTION_FAILURES = Set.of(
            "org.hibernate.StaleObjectStateException",
            "org.hibernate.StaleStateException",
            "jakarta.persistence.OptimisticLockException");
    /** Thrown by the Vert.x SQL client and pool when a connection is gone or none can be had. */
    private static final Set<String> CONNECTION_FAILURES = Set.of(
            "io.vertx.sqlclient.ClosedConnectionException",
            "io.vertx.core.http.ConnectionPoolTooBusyException",
            "io.netty.channel.ConnectTimeoutException");

    /** True when the failure, or anything it wraps, is an outage of something this service depends on. */
    public static boolean is(Throwable failure) {
        return Causes.any(failure, Outage::outage);
    }

    /** True when the failure, or anything it wraps, is a lost race for a row (optimistic lock, deadlock). */
    public static boolean isContention(Throwable failure) {
        return Causes.any(failure, Outage::contention);
    }

    /** An outage or a lost race: worth trying the same thing again. */
    public static boolean passes(Throwable failure) {
        return is(failure) || isContention(failure);
    }

    private static boolean outage(Throwable t) {
        return t instanceof Unavailable || t instanceof ConnectException || t instanceof SocketException
                || t instanceof ClosedChannelException || t instanceof TimeoutException
                || t instanceof RetriableException || CONNECTION_FAILURES.contains(t.getClass().getName())
                || t.getClass().getName().endsWith("TimeoutException")
                || inClass(sqlState(t), OUTAGE_SQLSTATE_CLASSES) || notAcceptingConnections(t) || closedConnection(t);
    }

    /** 55000 with this message: an operator closed the database to connections ({@code ALLOW_CONNECTIONS false}). */
    private static boolean notAcceptingConnections(Throwable t) {
        return "55000".equals(sqlState(t)) && t.getMessage() != null
                && t.getMessage().contains("is not currently accepting connections");
    }

    private static boolean contention(Throwable t) {
        String state = sqlState(t);
        return CONTENTION_FAILURES.contains(t.getClass().getName()) || (state != null && CONTENTION_SQLSTATES.contains(state));
    }

    private static boolean inClass(String sqlState, Set<String> classes) {
        return sqlState != null && sqlState.length() == 5 && classes.contains(sqlState.substring(0, 2));
    }

    /** {@code io.vertx.pgclient.PgException} and the JDBC driver's exceptions both say {@code getSqlState()}. */
    private static String sqlState(Throwable t) {
        if (t instanceof java.sql.SQLException sql) {
            return sql.getSQLState();
        }
        try {
            Object state = t.getClass().getMethod("getSqlState").invoke(t);
            return state instanceof String s ? s : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The Vert.x clients report a connection that went away as a plain VertxException or IOException. */
    private static boolean closedConnection(Throwable t) {
        String message = t.getMessage();
        if (message == null || !(t instanceof IOException || t.getClass().getName().equals("io.vertx.core.VertxException"))) {
            return false;
        }
        String m = message.toLowerCase(java.util.Locale.ROOT);
        return m.contains("connection reset") || m.contains("connection refused") || m.contains("connection closed")
                || m.contains("connection was closed") || m.contains("broken pipe") || m.contains("pool closed")
                || m.contains("timeout");
    }

    private Outage() {
    }
}
