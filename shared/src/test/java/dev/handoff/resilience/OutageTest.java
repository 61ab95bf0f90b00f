package dev.handoff.resilience;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.CompositeException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class OutageTest {

    /** Shaped like io.vertx.pgclient.PgException: the SQLSTATE behind getSqlState(). */
    static final class DatabaseFailure extends RuntimeException {
        private final String sqlState;

        DatabaseFailure(String sqlState) {
            this(sqlState, "FATAL " + sqlState);
        }

        DatabaseFailure(String sqlState, String message) {
            super(message);
            this.sqlState = sqlState;
        }

        public String getSqlState() {
            return sqlState;
        }
    }

    @Test
    void aDatabaseOrBrokerThatDoesNotAnswerIsAnOutageWhereverItIsWrapped() {
        assertTrue(Outage.is(new ConnectException("Connection refused: /127.0.0.1:5432")));
        assertTrue(Outage.is(new CompletionException(new RuntimeException("session", new ConnectException("refused")))));
        assertTrue(Outage.is(new CompositeException(new IllegalStateException("first"), new ConnectException("refused"))));
        assertTrue(Outage.is(new DatabaseFailure("57P01")), "admin shutdown");
        assertTrue(Outage.is(new DatabaseFailure("08006")), "connection failure");
        assertTrue(Outage.is(new DatabaseFailure("53300")), "too many connections");
        assertTrue(Outage.is(new SQLException("the database system is starting up", "57P03")));
        assertTrue(Outage.is(new org.apache.kafka.common.errors.TimeoutException("metadata")));
        assertTrue(Outage.is(new Unavailable("the secret store", null)));
        assertTrue(Outage.is(new java.io.IOException("Connection reset by peer")));
        assertTrue(Outage.is(new DatabaseFailure("55000", "database \"handoff_runs\" is not currently accepting connections")));
    }

    @Test
    void aLostRaceIsContentionNotAnOutage() {
        assertTrue(Outage.isContention(new DatabaseFailure("40P01")), "deadlock");
        assertTrue(Outage.isContention(new DatabaseFailure("40001")), "serialization failure");
        assertFalse(Outage.is(new DatabaseFailure("40001")));
        assertTrue(Outage.passes(new DatabaseFailure("40001")));
    }

    @Test
    void whatFailsTheSameWayEveryTimeIsNeither() {
        assertFalse(Outage.passes(new DatabaseFailure("23505")), "unique violation");
        assertFalse(Outage.passes(new DatabaseFailure("22001")), "value too long");
        assertFalse(Outage.passes(new DatabaseFailure("55000", "cannot do that now")));
        assertFalse(Outage.passes(new IllegalArgumentException("event without a workspaceId")));
        assertFalse(Outage.passes(new NullPointerException()));
        assertFalse(Outage.passes(new java.io.IOException("no such file")));
        assertFalse(Outage.passes(new RuntimeException((String) null)));
    }
}
