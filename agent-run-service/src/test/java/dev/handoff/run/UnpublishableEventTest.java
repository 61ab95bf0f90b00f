package dev.handoff.run;

import static dev.handoff.run.RunApi.task;
import static dev.handoff.run.RunApi.workspace;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.EventJson;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * An event the producer refuses for good (here: over a lowered {@code max.request.size}) is parked: it never holds
 * back the other runs' events, even when there are more such events than a relay round claims, and its run fails
 * with {@code event-not-publishable} within a minute, which frees its task.
 */
@QuarkusTest
@TestProfile(UnpublishableEventTest.SmallRecords.class)
class UnpublishableEventTest {

    /** The producer takes records up to 64 KiB: an event of 100 KB is "too large" without filling the database. */
    public static class SmallRecords implements QuarkusTestProfile {
        static final int MAX_REQUEST_SIZE = 65536;

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.outgoing.outbox.max.request.size", String.valueOf(MAX_REQUEST_SIZE));
        }
    }

    private static final int OVERSIZED_OF_OTHER_RUNS = 150;
    private static final int GOOD_RUNS = 100;

    @Test
    void anUnpublishableEventFailsItsRunWithinAMinuteWhileOtherRunsEventsFlow() throws Exception {
        String ws = workspace("unpublishable");
        UUID taskId = task();
        UUID runId = RunApi.launched(ws, taskId);
        assertEquals(1, KafkaProbe.await(Topics.RUN_STATUS_CHANGED, KafkaProbe.ofRun(runId), 1,
                Duration.ofSeconds(30)).size());

        // oldest first: more oversized heads than a round claims (batch size 100), then the real run's, then the
        // events of 100 other runs that must flow regardless
        String tooLarge = "x".repeat(SmallRecords.MAX_REQUEST_SIZE + 40_000);
        Set<String> goodRuns = new HashSet<>();
        Instant started = Instant.now();
        try (Connection db = HandoffTestResource.database().connect()) {
            db.setAutoCommit(false);
            for (int i = 0; i < OVERSIZED_OF_OTHER_RUNS; i++) {
                insertOutboxRow(db, statusChange(ws, UUID.randomUUID(), 2, tooLarge));
            }
            insertOutboxRow(db, statusChange(ws, runId, 2, tooLarge));
            for (int i = 0; i < GOOD_RUNS; i++) {
                RunStatusChanged good = statusChange(ws, UUID.randomUUID(), 1, "good " + i);
                goodRuns.add(good.runId().toString());
                insertOutboxRow(db, good);
            }
            db.commit();
        }

        List<ConsumerRecord<String, String>> delivered = KafkaProbe.await(Topics.RUN_STATUS_CHANGED,
                record -> goodRuns.contains(record.key()), GOOD_RUNS, Duration.ofSeconds(30));
        assertEquals(GOOD_RUNS, delivered.size(), "the other runs' events flow past the unpublishable ones");

        await().atMost(Duration.ofSeconds(60)).until(() -> "FAILED".equals(RunApi.get(ws, runId).extract().path("status")));
        assertTrue(Duration.between(started, Instant.now()).compareTo(Duration.ofMinutes(1)) < 0,
                "failed within a minute");
        assertEquals("event-not-publishable", RunApi.get(ws, runId).statusCode(200).extract().path("error.code"));

        // the FAILED change is small enough to be published, and consumers learn of it
        List<RunStatusChanged> published = KafkaProbe.await(Topics.RUN_STATUS_CHANGED, KafkaProbe.ofRun(runId), 2,
                Duration.ofSeconds(30)).stream().map(r -> EventJson.fromJson(r.value(), RunStatusChanged.class)).toList();
        assertEquals(List.of(RunStatus.PENDING, RunStatus.FAILED), published.stream().map(RunStatusChanged::status).toList());
        assertEquals("event-not-publishable", published.get(1).error().code());

        // set aside with their error, never retried
        List<String> errors = parkedErrors();
        assertEquals(OVERSIZED_OF_OTHER_RUNS + 1, errors.size());
        errors.forEach(error -> assertTrue(error.startsWith("RecordTooLargeException"), error));

        // the task is free for a new launch
        UUID next = RunApi.launched(ws, taskId);
        assertEquals(1, KafkaProbe.await(Topics.RUN_STATUS_CHANGED, KafkaProbe.ofRun(next), 1,
                Duration.ofSeconds(30)).size());
    }

    private static RunStatusChanged statusChange(String ws, UUID runId, long version, String detail) {
        return new RunStatusChanged(UUID.randomUUID(), Instant.now(), ws, runId, UUID.randomUUID(), RunStatus.PENDING,
                RunStatus.RUNNING, version, detail, null);
    }

    private static void insertOutboxRow(Connection db, RunStatusChanged event) throws SQLException {
        try (PreparedStatement insert = db.prepareStatement("""
                insert into outbox (event_id, run_id, topic, event_type, payload, created_at)
                values (?, ?, ?, ?, ?, ?)""")) {
            insert.setObject(1, event.eventId());
            insert.setObject(2, event.runId());
            insert.setString(3, Topics.RUN_STATUS_CHANGED);
            insert.setString(4, event.eventType());
            insert.setString(5, EventJson.toJson(event));
            insert.setTimestamp(6, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
    }

    private static List<String> parkedErrors() throws SQLException {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement(
                        "select error from outbox where parked_at is not null and sent_at is null order by id");
                ResultSet rows = query.executeQuery()) {
            List<String> errors = new ArrayList<>();
            while (rows.next()) {
                errors.add(rows.getString(1));
            }
            return errors;
        }
    }
}
