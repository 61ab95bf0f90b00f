package dev.handoff.notify;

import static dev.handoff.notify.support.TestEvents.statusChanged;
import static dev.handoff.notify.support.TestEvents.workspace;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.RunStatus;
import dev.handoff.notify.live.LiveFeed;
import dev.handoff.notify.repository.RunEventStore;
import dev.handoff.notify.sse.SseConnection;
import dev.handoff.notify.support.RecordingChannel;
import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SlowClientTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Vertx vertx;

    @Inject
    LiveFeed feed;

    @Inject
    RunEventStore store;

    @TestHTTPResource("/")
    URL base;

    @Test
    void clientThatStopsReadingIsDroppedWhenItsBufferIsFullWhileOthersKeepReceiving() {
        String ws = workspace();
        RecordingChannel stuck = RecordingChannel.stuck();
        AtomicBoolean released = new AtomicBoolean();
        SseConnection slow = new SseConnection(vertx.getOrCreateContext(), stuck, feed, store,
                new SseConnection.Subscription(ws, null, null, null), new SseConnection.Limits(3, 60_000, 50),
                c -> released.set(true));
        slow.start();
        try (SseClient http = new SseClient(vertx, base, 2)) {
            SseStream healthy = http.open("/api/events", Map.of("Authorization", Tokens.bearer(Tokens.member(ws))));
            await().atMost(WAIT).until(healthy::isLive);
            await().atMost(WAIT).until(() -> stuck.writes() == 1); // ": connected", never completed

            int count = 8;
            for (int i = 0; i < count; i++) {
                store.store(RunEvent.unsequenced(statusChanged(ws, UUID.randomUUID(), UUID.randomUUID(), null,
                        RunStatus.PENDING, 1)), Instant.now()).await().atMost(WAIT);
            }

            await().atMost(WAIT).until(() -> healthy.events().size() == count);
            await().atMost(WAIT).until(stuck::isClosed);
            assertTrue(released.get(), "the dropped connection was not released");
            assertEquals(1, stuck.writes(), "a stuck client must not be written to again");
        }
    }

    @Test
    void clientWhoseWriteDoesNotCompleteIsDroppedAfterTheStallTimeout() {
        RecordingChannel stuck = RecordingChannel.stuck();
        SseConnection stalled = new SseConnection(vertx.getOrCreateContext(), stuck, feed, store,
                new SseConnection.Subscription(workspace(), null, null, null), new SseConnection.Limits(100, 200, 50),
                c -> {
                });
        stalled.start();
        await().atMost(WAIT).until(() -> stuck.writes() == 1);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            stalled.heartbeat(); // what the heartbeat timer does every HANDOFF_SSE_HEARTBEAT
            return stuck.isClosed();
        });
    }
}
