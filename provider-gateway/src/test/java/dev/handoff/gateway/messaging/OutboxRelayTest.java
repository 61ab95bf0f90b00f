package dev.handoff.gateway.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.EventJson;
import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The gateway's outbox is the shared one: events committed but never published are sent by the sweep, each run's
 * in order, and an update the producer refuses for good (over its 1 MiB {@code max.request.size}) is parked with its
 * error, while the other runs' updates, and the same run's later ones, go out.
 */
@QuarkusTest
class OutboxRelayTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void anUnpublishableUpdateIsParkedAndDelaysNoOther() throws Exception {
        UUID blocked = UUID.randomUUID();
        ProviderRunUpdated tooLarge = update(blocked, RunStatus.RUNNING, "x".repeat(1_200_000));
        ProviderRunUpdated after = update(blocked, RunStatus.COMPLETED, "done");
        List<ProviderRunUpdated> others = new ArrayList<>();
        Set<String> otherRuns = new HashSet<>();
        try (Connection db = HandoffTestResource.database().connect()) {
            db.setAutoCommit(false);
            insert(db, tooLarge);
            for (int i = 0; i < 50; i++) {
                ProviderRunUpdated other = update(UUID.randomUUID(), RunStatus.RUNNING, "other " + i);
                others.add(other);
                otherRuns.add(other.runId().toString());
                insert(db, other);
            }
            insert(db, after);
            db.commit();
        }

        List<ConsumerRecord<String, String>> delivered = KafkaProbe.await(Topics.PROVIDER_RUN_UPDATED,
                record -> otherRuns.contains(record.key()), others.size(), WAIT);
        assertEquals(others.size(), delivered.size(), "the other runs' updates are published");
        List<ConsumerRecord<String, String>> ofBlocked = KafkaProbe.await(Topics.PROVIDER_RUN_UPDATED,
                KafkaProbe.ofRun(blocked), 1, WAIT);
        assertEquals(List.of(after.eventId().toString()),
                ofBlocked.stream().map(r -> KafkaProbe.header(r, Topics.HEADER_EVENT_ID)).toList(),
                "the run's later update follows; the parked one is never sent");

        await().atMost(WAIT).until(() -> parkedError(tooLarge.eventId()) != null);
        assertTrue(parkedError(tooLarge.eventId()).startsWith("RecordTooLargeException"), parkedError(tooLarge.eventId()));
    }

    private static ProviderRunUpdated update(UUID runId, RunStatus status, String summary) {
        return new ProviderRunUpdated(UUID.randomUUID(), Instant.now(), "outbox-test", runId, "local", null, null,
                status.name(), status, null, null, summary, null);
    }

    private static void insert(Connection db, ProviderRunUpdated event) throws SQLException {
        try (PreparedStatement insert = db.prepareStatement("""
                insert into outbox (event_id, run_id, topic, event_type, payload) values (?, ?, ?, ?, ?)""")) {
            insert.setObject(1, event.eventId());
            insert.setObject(2, event.runId());
            insert.setString(3, Topics.PROVIDER_RUN_UPDATED);
            insert.setString(4, event.eventType());
            insert.setString(5, EventJson.toJson(event));
            insert.executeUpdate();
        }
    }

    private static String parkedError(UUID eventId) throws SQLException {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement(
                        "select error from outbox where event_id = ? and parked_at is not null and sent_at is null")) {
            query.setObject(1, eventId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }
}
