package dev.handoff.notify;

import static dev.handoff.notify.EventStreamTest.eventId;
import static dev.handoff.notify.EventStreamTest.storedCount;
import static dev.handoff.notify.support.TestEvents.publish;
import static dev.handoff.notify.support.TestEvents.statusChanged;
import static dev.handoff.notify.support.TestEvents.workspace;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.notify.live.FeedListener;
import dev.handoff.notify.live.LiveFeed;
import dev.handoff.notify.repository.RunEventStore;
import dev.handoff.notify.service.Retention;
import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.KafkaProbe;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URL;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RunEventStorageTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    RunEventStore store;

    @Inject
    LiveFeed feed;

    @Inject
    Retention retention;

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URL base;

    @Test
    void duplicateEventIdIsStoredAndDeliveredOnce() {
        String ws = workspace();
        UUID task = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        try (SseClient client = new SseClient(vertx, base, 2)) {
            SseStream stream = client.open("/api/events", Map.of("Authorization", Tokens.bearer(Tokens.member(ws))));
            await().atMost(WAIT).until(stream::isLive);
            RunStatusChanged pending = statusChanged(ws, task, run, null, RunStatus.PENDING, 1);
            RunStatusChanged running = statusChanged(ws, task, run, RunStatus.PENDING, RunStatus.RUNNING, 2);
            publish(pending);
            publish(pending); // at-least-once delivery: the same event again
            publish(running); // same key, same partition: consumed after both copies

            await().atMost(WAIT).until(() -> stream.events().size() >= 2 && storedCount(ws) >= 2);
            assertEquals(1, rowsWithEventId(pending.eventId()));
            assertEquals(2, storedCount(ws));
            assertEquals(List.of(pending.eventId(), running.eventId()),
                    stream.events().stream().map(EventStreamTest::eventId).toList());
        }
    }

    @Test
    void storingTheSameEventAgainChangesNothing() {
        String ws = workspace();
        RunEvent event = RunEvent.unsequenced(statusChanged(ws, UUID.randomUUID(), UUID.randomUUID(), null,
                RunStatus.PENDING, 1));
        Optional<Long> first = store.store(event, Instant.now()).await().atMost(WAIT);
        Optional<Long> again = store.store(event, Instant.now()).await().atMost(WAIT);
        assertEquals(Optional.of(1L), first);
        assertEquals(Optional.empty(), again);
        assertEquals(1, storedCount(ws));
    }

    @Test
    void concurrentWritersOfOneWorkspaceGetGaplessSequencesThatLiveListenersSeeInOrder() {
        String ws = workspace();
        String neighbour = workspace();
        List<Long> heard = new CopyOnWriteArrayList<>();
        FeedListener listener = new FeedListener() {
            @Override
            public void onEvent(RunEvent event) {
                heard.add(event.sequence());
            }

            @Override
            public void onFeedLost() {
            }
        };
        assertTrue(feed.subscribe(ws, listener));
        try {
            int count = 60;
            List<Uni<Optional<Long>>> writes = new ArrayList<>();
            IntStream.range(0, count).forEach(i -> {
                writes.add(store.store(unsequenced(ws), Instant.now()));
                writes.add(store.store(unsequenced(neighbour), Instant.now()));
            });
            List<Long> sequences = Uni.join().all(writes).andFailFast().await().atMost(WAIT).stream()
                    .map(Optional::orElseThrow).toList();

            List<Long> expected = LongStream.rangeClosed(1, count).boxed().toList();
            assertEquals(expected, sequencesOf(ws));
            assertEquals(expected, sequencesOf(neighbour)); // each workspace counts on its own
            assertEquals(2 * count, sequences.size());
            await().atMost(WAIT).until(() -> heard.size() >= count);
            assertEquals(expected, heard);
        } finally {
            feed.unsubscribe(ws, listener);
        }
    }

    @Test
    void unreadableMessageGoesToTheDeadLetterTopic() {
        String key = UUID.randomUUID().toString();
        KafkaProbe.publishRaw(Topics.RUN_STATUS_CHANGED, key, "{not json", "RunStatusChanged", UUID.randomUUID().toString());
        assertEquals(1, KafkaProbe.await(Topics.RUN_STATUS_CHANGED + Topics.DLQ_SUFFIX, KafkaProbe.ofRun(UUID.fromString(key)),
                1, WAIT).size());
    }

    @Test
    void eventWithoutAUsableWorkspaceGoesToTheDeadLetterTopicAndIsNotStored() {
        RunStatusChanged event = statusChanged("Not A Workspace!", UUID.randomUUID(), UUID.randomUUID(), null,
                RunStatus.PENDING, 1);
        publish(event);
        assertEquals(1, KafkaProbe.await(Topics.RUN_STATUS_CHANGED + Topics.DLQ_SUFFIX, KafkaProbe.ofRun(event.runId()),
                1, WAIT).size());
        assertEquals(0, rowsWithEventId(event.eventId()));
    }

    @Test
    void pruneDeletesOnlyEventsOlderThanTheRetention() throws SQLException {
        String ws = workspace();
        RunEvent old = unsequenced(ws);
        RunEvent fresh = unsequenced(ws);
        store.store(old, Instant.now()).await().atMost(WAIT);
        store.store(fresh, Instant.now()).await().atMost(WAIT);
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement age = db.prepareStatement(
                        "update run_event set created_at = now() - interval '25 hours' where event_id = ?")) {
            age.setObject(1, old.eventId());
            assertEquals(1, age.executeUpdate());
        }

        int deleted = retention.prune(Instant.now()).await().atMost(WAIT);

        assertTrue(deleted >= 1);
        assertEquals(0, rowsWithEventId(old.eventId()));
        assertEquals(1, rowsWithEventId(fresh.eventId()));
        assertEquals(Duration.ofDays(1), retention.retention());
    }

    @Test
    void retentionBelowADayIsRaisedToADay() {
        assertEquals(Duration.ofHours(24), Retention.effective(Duration.ofHours(1)));
        assertEquals(Duration.ofHours(24), Retention.effective(null));
        assertEquals(Duration.ofDays(7), Retention.effective(Duration.ofDays(7)));
        assertFalse(Retention.effective(Duration.ZERO).isZero());
    }

    private static RunEvent unsequenced(String workspace) {
        return RunEvent.unsequenced(statusChanged(workspace, UUID.randomUUID(), UUID.randomUUID(), null,
                RunStatus.PENDING, 1));
    }

    static long rowsWithEventId(UUID eventId) {
        return count("select count(*) from run_event where event_id = ?", eventId);
    }

    private static List<Long> sequencesOf(String workspace) {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement(
                        "select sequence from run_event where workspace_id = ? order by sequence")) {
            query.setString(1, workspace);
            List<Long> sequences = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    sequences.add(rows.getLong(1));
                }
            }
            return sequences;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(String sql, Object parameter) {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement(sql)) {
            query.setObject(1, parameter);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
