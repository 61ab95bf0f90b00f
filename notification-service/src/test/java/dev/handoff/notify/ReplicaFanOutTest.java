package dev.handoff.notify;

import static dev.handoff.notify.RunEventStorageTest.rowsWithEventId;
import static dev.handoff.notify.support.TestEvents.activity;
import static dev.handoff.notify.support.TestEvents.publish;
import static dev.handoff.notify.support.TestEvents.statusChanged;
import static dev.handoff.notify.support.TestEvents.workspace;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.RunActivity;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.notify.live.LiveFeed;
import dev.handoff.notify.live.LiveFeedLifecycle;
import dev.handoff.notify.repository.ActivityStore;
import dev.handoff.notify.repository.RunEventStore;
import dev.handoff.notify.service.ActivityService;
import dev.handoff.notify.sse.SseConnection;
import dev.handoff.notify.support.ActivityAssignments;
import dev.handoff.notify.support.RecordingChannel;
import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import jakarta.inject.Inject;
import java.net.URL;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas against one database: replica 1 is the application under test (Kafka consumer, LISTEN, HTTP),
 * replica 2 is a second, independent set of the same storage and fan-out objects with its own pool and its own
 * LISTEN connection; its clients are {@link RecordingChannel}s.
 */
@QuarkusTest
class ReplicaFanOutTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String REPLICA_2 = "replica-2-live-feed";
    private static final SseConnection.Limits LIMITS = new SseConnection.Limits(100, 60_000, 50);

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URL base;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    String user;

    @ConfigProperty(name = "quarkus.datasource.password")
    String password;

    private Pool pool2;
    private RunEventStore store2;
    private LiveFeed feed2;

    @BeforeEach
    void startReplica2() throws Exception {
        PgConnectOptions options = LiveFeedLifecycle.connectOptions(url, user, password)
                .addProperty("application_name", REPLICA_2);
        pool2 = PgBuilder.pool().connectingTo(options).using(vertx).build();
        store2 = new RunEventStore(io.vertx.mutiny.sqlclient.Pool.newInstance(pool2));
        feed2 = new LiveFeed(vertx, options, store2, Duration.ofSeconds(5));
        feed2.start().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopReplica2() throws Exception {
        feed2.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        pool2.close();
    }

    @Test
    void eachReplicaDeliversAnEventToItsOwnClientsWhileItIsStoredOnce() {
        String ws = workspace();
        UUID task = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        try (SseClient http = new SseClient(vertx, base, 4)) {
            SseStream onReplica1 = http.open("/api/events", Map.of("Authorization", Tokens.bearer(Tokens.member(ws))));
            RecordingChannel onReplica2 = RecordingChannel.reading();
            open(onReplica2, ws, null);
            await().atMost(WAIT).until(() -> onReplica1.isLive() && onReplica2.isLive());

            // replica 1 consumes it from Kafka; replica 2 gets the same message too (a redelivery after a rebalance)
            RunStatusChanged event = statusChanged(ws, task, run, null, RunStatus.PENDING, 1);
            publish(event);
            store2.store(RunEvent.unsequenced(event), event.occurredAt()).await().atMost(WAIT);

            await().atMost(WAIT).until(() -> onReplica1.events().size() >= 1 && onReplica2.events().size() >= 1);
            assertEquals(1, rowsWithEventId(event.eventId()));

            // an event only replica 2 stored still reaches replica 1's client
            RunStatusChanged running = statusChanged(ws, task, run, RunStatus.PENDING, RunStatus.RUNNING, 2);
            store2.store(RunEvent.unsequenced(running), running.occurredAt()).await().atMost(WAIT);

            await().atMost(WAIT).until(() -> onReplica1.events().size() >= 2 && onReplica2.events().size() >= 2);
            assertEquals(List.of(event.eventId(), running.eventId()),
                    onReplica1.events().stream().map(EventStreamTest::eventId).toList());
            assertEquals(List.of(event.eventId(), running.eventId()),
                    onReplica2.events().stream().map(RunEvent::eventId).toList());
            assertEquals(onReplica1.events().stream().map(SseStream.Event::id).toList(),
                    onReplica2.events().stream().map(e -> Long.toString(e.sequence())).toList());
        }
    }

    @Test
    void activityIsStoredOnceWhenTwoReplicasApplyTheSameBatchAndEveryReplicaStreamsIt() {
        ActivityAssignments.awaitConsumerReady();
        ActivityService activity2 = new ActivityService(
                new ActivityStore(io.vertx.mutiny.sqlclient.Pool.newInstance(pool2)), store2);
        String ws = workspace();
        UUID task = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        try (SseClient http = new SseClient(vertx, base, 4)) {
            SseStream onReplica1 = http.open("/api/events?runId=" + run,
                    Map.of("Authorization", Tokens.bearer(Tokens.member(ws))));
            RecordingChannel onReplica2 = RecordingChannel.reading();
            open(onReplica2, ws, null);
            await().atMost(WAIT).until(() -> onReplica1.isLive() && onReplica2.isLive());

            // replica 1 consumes the batch from Kafka while replica 2 applies the same one (a rebalance's redelivery)
            RunActivity batch = activity(ws, task, run, 1, 100);
            publish(batch);
            activity2.record(batch).await().atMost(WAIT);
            // and an overlapping batch that only replica 2 stores
            RunActivity overlapping = activity(ws, task, run, 51, 100);
            assertEquals(50, activity2.record(overlapping).await().atMost(WAIT));

            await().atMost(WAIT).until(() -> onReplica1.events().size() >= 2 && onReplica2.events().size() >= 2);
            assertEquals(List.of(batch.eventId(), overlapping.eventId()),
                    onReplica1.events().stream().map(EventStreamTest::eventId).toList());
            assertEquals(List.of(batch.eventId(), overlapping.eventId()),
                    onReplica2.events().stream().map(RunEvent::eventId).toList());
            assertEquals(onReplica1.events().stream().map(SseStream.Event::id).toList(),
                    onReplica2.events().stream().map(e -> Long.toString(e.sequence())).toList());
            assertEquals(1, rowsWithEventId(batch.eventId()));
            List<Long> seqs = given().header("Authorization", Tokens.bearer(Tokens.member(ws)))
                    .queryParam("runId", run.toString()).queryParam("limit", 200).get("/api/activity")
                    .then().statusCode(200).extract().jsonPath().<Number>getList("seq").stream()
                    .map(Number::longValue).toList();
            assertEquals(LongStream.rangeClosed(1, 150).boxed().toList(), seqs);
        }
    }

    @Test
    void replicaThatLosesItsDatabaseLinkEndsItsStreamsAndListensAgain() throws SQLException {
        String ws = workspace();
        RecordingChannel client = RecordingChannel.reading();
        open(client, ws, null);
        await().atMost(WAIT).until(client::isLive);

        terminateListenConnectionOf(REPLICA_2);

        // its client is ended so that it resumes by Last-Event-ID, and the replica listens again by itself
        await().atMost(WAIT).until(client::isClosed);
        await().atMost(WAIT).until(feed2::isListening);
        RunStatusChanged meanwhile = statusChanged(ws, UUID.randomUUID(), UUID.randomUUID(), null, RunStatus.PENDING, 1);
        long sequence = store2.store(RunEvent.unsequenced(meanwhile), Instant.now()).await().atMost(WAIT).orElseThrow();
        RecordingChannel resumed = RecordingChannel.reading();
        open(resumed, ws, 0L);
        await().atMost(WAIT).until(resumed::isLive);
        assertEquals(List.of(sequence), resumed.events().stream().map(RunEvent::sequence).toList());
    }

    @Test
    void streamOpenedWhileTheReplicaIsNotYetListeningWaitsForTheFeedInsteadOfBeingTurnedAway() throws Exception {
        String ws = workspace();
        PgConnectOptions options = LiveFeedLifecycle.connectOptions(url, user, password)
                .addProperty("application_name", "replica-3-live-feed");
        LiveFeed notYet = new LiveFeed(vertx, options, store2, Duration.ofSeconds(5));
        try {
            RecordingChannel client = RecordingChannel.reading();
            open(client, notYet, ws, null);
            // not listening: the client is held, neither served nor closed
            await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> !client.isLive() && !client.isClosed());

            notYet.start().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            await().atMost(WAIT).until(client::isLive);
            RunStatusChanged event = statusChanged(ws, UUID.randomUUID(), UUID.randomUUID(), null, RunStatus.PENDING, 1);
            long sequence = store2.store(RunEvent.unsequenced(event), Instant.now()).await().atMost(WAIT).orElseThrow();
            await().atMost(WAIT).until(() -> client.events().size() == 1);
            assertEquals(sequence, client.events().get(0).sequence());
            assertTrue(!client.isClosed());
        } finally {
            notYet.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private void open(RecordingChannel channel, String workspace, Long lastEventId) {
        open(channel, feed2, workspace, lastEventId);
    }

    private void open(RecordingChannel channel, LiveFeed feed, String workspace, Long lastEventId) {
        new SseConnection(vertx.getOrCreateContext(), channel, feed, store2,
                new SseConnection.Subscription(workspace, null, null, lastEventId), LIMITS, c -> {
                }).start();
    }

    private static void terminateListenConnectionOf(String applicationName) throws SQLException {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement kill = db.prepareStatement("select pg_terminate_backend(pid) from pg_stat_activity"
                        + " where application_name = ? and datname = current_database()")) {
            kill.setString(1, applicationName);
            try (ResultSet rows = kill.executeQuery()) {
                int killed = 0;
                while (rows.next()) {
                    killed++;
                }
                assertTrue(killed >= 1, "no connection of " + applicationName);
            }
        }
    }
}
