package dev.handoff.run;

import static dev.handoff.run.RunApi.task;
import static dev.handoff.run.RunApi.workspace;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.handoff.events.EventJson;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The outbox as the safety net: a state change committed with its events, and the process gone before it published
 * them (nothing kicks the relay), is still delivered, once, in order.
 */
@QuarkusTest
class OutboxRelayTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void eventsCommittedButNeverPublishedAreDeliveredByTheRelayInOrder() throws Exception {
        String ws = workspace("outbox");
        UUID taskId = task();
        UUID runId = RunApi.launched(ws, taskId);
        assertEquals(1, KafkaProbe.await(Topics.RUN_STATUS_CHANGED, KafkaProbe.ofRun(runId), 1, WAIT).size());

        // what a process killed right after its commit leaves behind: the change and its events, unpublished
        List<RunStatusChanged> pending = new ArrayList<>();
        try (Connection db = HandoffTestResource.database().connect()) {
            db.setAutoCommit(false);
            try (PreparedStatement move = db.prepareStatement(
                    "update runs set status = 'RUNNING', status_version = 2, started_at = now() where id = ?")) {
                move.setObject(1, runId);
                assertEquals(1, move.executeUpdate());
            }
            RunStatus previous = RunStatus.PENDING;
            // RUNNING, and then three more (fictitious) changes, to see the order kept
            for (long version = 2; version <= 5; version++) {
                RunStatusChanged event = new RunStatusChanged(UUID.randomUUID(), Instant.now(), ws, runId, taskId,
                        previous, RunStatus.RUNNING, version, "crash test " + version, null);
                insertOutboxRow(db, event);
                pending.add(event);
                previous = RunStatus.RUNNING;
            }
            db.commit();
        }

        List<ConsumerRecord<String, String>> delivered =
                KafkaProbe.await(Topics.RUN_STATUS_CHANGED, KafkaProbe.ofRun(runId), 5, WAIT);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), delivered.stream()
                .map(r -> EventJson.fromJson(r.value(), RunStatusChanged.class).version()).toList());
        assertEquals(pending.stream().map(e -> e.eventId().toString()).toList(),
                delivered.subList(1, 5).stream().map(r -> KafkaProbe.header(r, Topics.HEADER_EVENT_ID)).toList());
        await().atMost(WAIT).until(() -> unsent(runId) == 0);

        // marked sent: not published again by later sweeps
        assertEquals(5, KafkaProbe.await(Topics.RUN_STATUS_CHANGED, KafkaProbe.ofRun(runId), 6, Duration.ofSeconds(4))
                .size());
    }

    @Test
    void aBacklogOfThousandsOfEventsIsDrainedInOrderAndTheRelayKeepsWorkingAfterIt() throws Exception {
        // 3,000 events of one run: dozens of rounds of one drain, each run's events in order within a round
        String ws = workspace("backlog");
        UUID runId = UUID.randomUUID();
        try (Connection db = HandoffTestResource.database().connect()) {
            db.setAutoCommit(false);
            for (long version = 1; version <= 3000; version++) {
                insertOutboxRow(db, new RunStatusChanged(UUID.randomUUID(), Instant.now(), ws, runId, UUID.randomUUID(),
                        RunStatus.RUNNING, RunStatus.RUNNING, version, "backlog " + version, null));
            }
            db.commit();
        }
        await().atMost(Duration.ofMinutes(3)).until(() -> unsent(runId) == 0);
        // sent many at a time, yet in the order they were written
        List<Long> versions = KafkaProbe.await(Topics.RUN_STATUS_CHANGED, KafkaProbe.ofRun(runId), 3000, WAIT).stream()
                .map(r -> EventJson.fromJson(r.value(), RunStatusChanged.class).version()).toList();
        assertEquals(LongStream.rangeClosed(1, 3000).boxed().toList(), versions);

        UUID after = RunApi.launched(ws, task());
        assertEquals(1, KafkaProbe.await(Topics.RUN_STATUS_CHANGED, KafkaProbe.ofRun(after), 1, WAIT).size(),
                "a launch after the backlog is still published");
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

    private static long unsent(UUID runId) throws SQLException {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement count = db.prepareStatement(
                        "select count(*) from outbox where run_id = ? and sent_at is null")) {
            count.setObject(1, runId);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
