package dev.handoff.notify;

import static dev.handoff.notify.support.TestEvents.publish;
import static dev.handoff.notify.support.TestEvents.statusChanged;
import static dev.handoff.notify.support.TestEvents.workspace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URL;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many browsers watching one workspace on one replica: every one of them gets the event, and how fast. */
@QuarkusTest
// a workspace may have 50 open streams by default: this load test's one workspace is allowed its 1000
@TestProfile(ManyStreamsProfile.class)
class FanOutLoadTest {

    private static final int CLIENTS = 1000;

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URL base;

    @Test
    void thousandConcurrentClientsOnOneReplicaEachReceiveTheEventOnce() throws Exception {
        String ws = workspace();
        String token = Tokens.bearer(Tokens.member(ws));
        try (SseClient client = new SseClient(vertx, base, CLIENTS)) {
            List<SseStream> streams = new ArrayList<>(CLIENTS);
            long connecting = System.nanoTime();
            for (int i = 0; i < CLIENTS; i++) {
                streams.add(client.open("/api/events", Map.of("Authorization", token)));
            }
            CompletableFuture.allOf(streams.stream().map(SseStream::live).toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);
            long connectedMillis = (System.nanoTime() - connecting) / 1_000_000;
            // the producer's first send also fetches metadata: not part of what is measured
            publish(statusChanged(workspace(), UUID.randomUUID(), UUID.randomUUID(), null, RunStatus.PENDING, 1));

            RunStatusChanged event = statusChanged(ws, UUID.randomUUID(), UUID.randomUUID(), null, RunStatus.PENDING, 1);
            long publishedWall = System.currentTimeMillis();
            long published = System.nanoTime();
            publish(event);
            long acknowledged = System.nanoTime();
            CompletableFuture.allOf(streams.stream().map(SseStream::firstEvent).toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);

            long[] latencies = streams.stream()
                    .mapToLong(s -> s.events().get(0).receivedAtNanos() - published).sorted().toArray();
            // created_at is the storing transaction's clock on this same machine: splits Kafka+storage from fan-out
            long storedAfter = storedAt(event.eventId()).toEpochMilli() - publishedWall;
            System.out.printf("FAN-OUT: %d SSE clients on one replica, live after %d ms. One event: publish -> last"
                    + " client %.0f ms = publish -> stored %d ms (broker ack %.0f ms; Kafka consumer and insert, shared"
                    + " with other suites' events) + stored -> last client %.0f ms (LISTEN/NOTIFY, read, write to 1000"
                    + " sockets, parsed by 1000 clients in the same JVM). Per client after publish: first %.0f, p50 %.0f,"
                    + " p99 %.0f ms%n",
                    CLIENTS, connectedMillis, millis(latencies[latencies.length - 1]), storedAfter,
                    millis(acknowledged - published), millis(latencies[latencies.length - 1]) - storedAfter,
                    millis(latencies[0]), millis(latencies[latencies.length / 2]),
                    millis(latencies[(int) (latencies.length * 0.99)]));

            for (SseStream stream : streams) {
                assertEquals(1, stream.events().size());
                SseStream.Event received = stream.events().get(0);
                assertEquals(event.eventId(), EventStreamTest.eventId(received));
                assertEquals("run.status-changed", received.event());
            }
            assertEquals(1, streams.stream().map(s -> s.events().get(0).id()).distinct().count());
            assertTrue(streams.stream().noneMatch(SseStream::hasEnded));
            streams.forEach(SseStream::close);
        }
    }

    private static Instant storedAt(UUID eventId) throws SQLException {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement("select created_at from run_event where event_id = ?")) {
            query.setObject(1, eventId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getTimestamp(1).toInstant();
            }
        }
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }
}
