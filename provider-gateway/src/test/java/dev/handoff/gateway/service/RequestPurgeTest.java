package dev.handoff.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.testsupport.HandoffTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A finished run's request (it holds the brief), and the gateway's bookkeeping of its activity, are forgotten after
 * the retention (P7D), in bounded batches. (The
 * scheduled purge is off in tests, so that only this test's call clears anything.)
 */
@QuarkusTest
class RequestPurgeTest {

    @Inject
    RequestPurge purge;

    @Test
    void theRequestOfAFinalRunOlderThanTheRetentionIsForgottenAndNoOtherOne() throws Exception {
        UUID oldFinished = insert("COMPLETED", "8 days");
        UUID oldFailed = insert("FAILED", "30 days");
        UUID recentFinished = insert("CANCELLED", "6 days");
        UUID oldActive = insert("RUNNING", "8 days");
        for (UUID run : new UUID[] {oldFinished, recentFinished, oldActive}) {
            activityOf(run);
        }
        // more than one batch of old final runs
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement insert = db.prepareStatement("""
                        insert into provider_run (run_id, workspace_id, provider, status, request, created_at, updated_at)
                        select gen_random_uuid(), 'ws-purge', 'cursor', 'COMPLETED', '{"brief":"a long brief"}',
                               now() - interval '9 days', now() - interval '9 days'
                        from generate_series(1, ?)""")) {
            insert.setInt(1, RequestPurge.BATCH + 20);
            insert.executeUpdate();
        }

        int cleared = purge.purge().await().atMost(Duration.ofSeconds(60));
        assertTrue(cleared >= RequestPurge.BATCH + 22, "cleared " + cleared);
        assertNull(request(oldFinished));
        assertNull(request(oldFailed));
        assertNotNull(request(recentFinished), "kept until the retention has passed");
        assertNotNull(request(oldActive), "an active run may still need it");
        assertEquals(0, activityRows(oldFinished), "a final run's activity bookkeeping goes with its request");
        assertEquals(2, activityRows(recentFinished), "kept until the retention has passed");
        assertEquals(2, activityRows(oldActive), "an active run still numbers its entries");
        assertEquals(0, purge.purge().await().atMost(Duration.ofSeconds(60)), "nothing left to forget");
    }

    private static UUID insert(String status, String age) throws Exception {
        UUID runId = UUID.randomUUID();
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement insert = db.prepareStatement("""
                        insert into provider_run (run_id, workspace_id, provider, status, request, created_at, updated_at)
                        values (?, 'ws-purge', 'cursor', ?, '{"brief":"a long brief"}', now() - ?::interval, now() - ?::interval)""")) {
            insert.setObject(1, runId);
            insert.setString(2, status);
            insert.setString(3, age);
            insert.setString(4, age);
            insert.executeUpdate();
        }
        return runId;
    }

    /** The gateway's bookkeeping of a run's activity: its last seq and one Cursor message already published. */
    private static void activityOf(UUID runId) throws Exception {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement state = db.prepareStatement("""
                        insert into run_activity (run_id, last_seq, agent_entries, truncated, updated_at)
                        values (?, 3, 3, false, now())""");
                PreparedStatement message = db.prepareStatement(
                        "insert into run_activity_message (run_id, message_id) values (?, 'msg-1')")) {
            state.setObject(1, runId);
            state.executeUpdate();
            message.setObject(1, runId);
            message.executeUpdate();
        }
    }

    private static int activityRows(UUID runId) throws Exception {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement("""
                        select (select count(*) from run_activity where run_id = ?)
                             + (select count(*) from run_activity_message where run_id = ?)""")) {
            query.setObject(1, runId);
            query.setObject(2, runId);
            try (ResultSet row = query.executeQuery()) {
                assertTrue(row.next());
                return row.getInt(1);
            }
        }
    }

    private static String request(UUID runId) throws Exception {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement("select request from provider_run where run_id = ?")) {
            query.setObject(1, runId);
            try (ResultSet row = query.executeQuery()) {
                assertTrue(row.next());
                return row.getString(1);
            }
        }
    }
}
