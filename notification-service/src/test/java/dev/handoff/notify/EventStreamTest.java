package dev.handoff.notify;

import static dev.handoff.notify.support.TestEvents.publish;
import static dev.handoff.notify.support.TestEvents.pullRequestOpened;
import static dev.handoff.notify.support.TestEvents.statusChanged;
import static dev.handoff.notify.support.TestEvents.workspace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.EventJson;
import dev.handoff.events.HandoffEvent;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class EventStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URL base;

    private SseClient client;

    @BeforeEach
    void client() {
        client = new SseClient(vertx, base, 50);
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    @Test
    void clientReceivesItsWorkspaceEventsInOrderAndNoneOfAnother() {
        String mine = workspace();
        String other = workspace();
        SseStream stream = live(mine, "");
        SseStream otherStream = live(other, "");
        UUID task = UUID.randomUUID();
        UUID run = UUID.randomUUID();

        RunStatusChanged pending = statusChanged(mine, task, run, null, RunStatus.PENDING, 1);
        RunStatusChanged running = statusChanged(mine, task, run, RunStatus.PENDING, RunStatus.RUNNING, 2);
        HandoffEvent foreign = statusChanged(other, UUID.randomUUID(), UUID.randomUUID(), null, RunStatus.PENDING, 1);
        RunStatusChanged completed = statusChanged(mine, task, run, RunStatus.RUNNING, RunStatus.COMPLETED, 3);
        HandoffEvent pullRequest = pullRequestOpened(mine, task, run);
        publish(pending);
        publish(foreign);
        publish(running);
        publish(completed);
        publish(pullRequest);

        await().atMost(WAIT).until(() -> stream.events().size() >= 4 && otherStream.events().size() >= 1);
        List<SseStream.Event> events = stream.events();
        assertEquals(4, events.size(), () -> "events: " + events);
        List<UUID> statusIds = events.stream().filter(e -> e.event().equals("run.status-changed"))
                .map(EventStreamTest::eventId).toList();
        assertEquals(List.of(pending.eventId(), running.eventId(), completed.eventId()), statusIds);
        List<SseStream.Event> prs = events.stream().filter(e -> e.event().equals("run.pull-request-opened")).toList();
        assertEquals(List.of(pullRequest.eventId()), prs.stream().map(EventStreamTest::eventId).toList());
        assertTrue(json(prs.get(0)).get("url").asText().startsWith("https://github.com/acme/shop/pull/"));
        assertTrue(events.stream().allMatch(e -> json(e).get("workspaceId").asText().equals(mine)));
        assertIncreasing(events);
        assertEquals(List.of(foreign.eventId()), otherStream.events().stream().map(EventStreamTest::eventId).toList());
        assertEquals("PENDING", json(events.get(0)).get("status").asText());
        assertTrue(json(events.get(0)).get("previousStatus").isNull());
        assertTrue(stream.contentType().startsWith("text/event-stream"), stream.contentType());
    }

    @Test
    void reconnectWithLastEventIdReplaysExactlyTheMissedEventsThenLiveOnes() {
        String ws = workspace();
        UUID task = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        SseStream first = live(ws, "");
        publish(statusChanged(ws, task, run, null, RunStatus.PENDING, 1));
        await().atMost(WAIT).until(() -> first.events().size() == 1);
        String lastSeen = first.events().get(0).id();
        first.close();
        await().atMost(WAIT).until(first::hasEnded);

        List<HandoffEvent> missed = List.of(
                statusChanged(ws, task, run, RunStatus.PENDING, RunStatus.RUNNING, 2),
                pullRequestOpened(ws, task, run),
                statusChanged(ws, task, run, RunStatus.RUNNING, RunStatus.COMPLETED, 3));
        missed.forEach(e -> publish(e));
        await().atMost(WAIT).until(() -> storedCount(ws) == 4);

        SseStream again = client.open("/api/events", Map.of("Authorization", Tokens.bearer(Tokens.member(ws)),
                "Last-Event-ID", lastSeen));
        await().atMost(WAIT).until(again::isLive);
        List<SseStream.Event> replayed = again.events();
        assertEquals(Set.copyOf(missed.stream().map(HandoffEvent::eventId).toList()),
                Set.copyOf(replayed.stream().map(EventStreamTest::eventId).toList()));
        assertEquals(3, replayed.size(), () -> "replayed: " + replayed);
        assertIncreasing(replayed);
        assertTrue(Long.parseLong(replayed.get(0).id()) > Long.parseLong(lastSeen));

        HandoffEvent later = statusChanged(ws, UUID.randomUUID(), UUID.randomUUID(), null, RunStatus.PENDING, 1);
        publish(later);
        await().atMost(WAIT).until(() -> again.events().size() >= 4);
        assertEquals(4, again.events().size());
        assertEquals(later.eventId(), eventId(again.events().get(3)));
        assertIncreasing(again.events());
    }

    @Test
    void replayAndLiveMeetWithoutGapOrDuplicateWhileEventsKeepArriving() throws InterruptedException {
        String ws = workspace();
        UUID run = UUID.randomUUID();
        UUID task = UUID.randomUUID();
        int total = 400;
        List<RunStatusChanged> published = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            published.add(statusChanged(ws, task, run, RunStatus.RUNNING, RunStatus.RUNNING, i));
        }
        Thread publisher = new Thread(() -> published.forEach(e -> publish(e)));
        publisher.start();
        // resume "from the beginning" while events are still arriving: replay (several pages) and live overlap
        await().atMost(WAIT).until(() -> storedCount(ws) >= 10);
        SseStream stream = client.open("/api/events?lastEventId=0",
                Map.of("Authorization", Tokens.bearer(Tokens.member(ws))));
        await().atMost(WAIT).until(stream::isLive);
        long storedWhenLive = storedCount(ws);

        await().atMost(WAIT).until(() -> stream.events().size() >= total);
        publisher.join();
        assertTrue(storedWhenLive < total, "the stream went live only after everything was stored: no overlap tested");
        assertEquals(published.stream().map(HandoffEvent::eventId).toList(),
                stream.events().stream().map(EventStreamTest::eventId).toList());
        assertIncreasing(stream.events());
    }

    @Test
    void streamCanBeNarrowedToOneTaskOrOneRun() {
        String ws = workspace();
        UUID task = UUID.randomUUID();
        UUID runA = UUID.randomUUID();
        UUID runB = UUID.randomUUID();
        SseStream byRun = live(ws, "?runId=" + runA);
        SseStream byTask = live(ws, "?taskId=" + task);
        SseStream all = live(ws, "");

        HandoffEvent a = statusChanged(ws, task, runA, null, RunStatus.PENDING, 1);
        HandoffEvent b = statusChanged(ws, task, runB, null, RunStatus.PENDING, 1);
        HandoffEvent elsewhere = statusChanged(ws, UUID.randomUUID(), UUID.randomUUID(), null, RunStatus.PENDING, 1);
        publish(a);
        publish(b);
        publish(elsewhere);

        await().atMost(WAIT).until(() -> all.events().size() == 3);
        await().atMost(WAIT).until(() -> byTask.events().size() == 2);
        assertEquals(List.of(a.eventId()), byRun.events().stream().map(EventStreamTest::eventId).toList());
        assertEquals(Set.of(a.eventId(), b.eventId()),
                Set.copyOf(byTask.events().stream().map(EventStreamTest::eventId).toList()));
    }

    @Test
    void accessTokenQueryParameterAuthenticatesTheStream() {
        String ws = workspace();
        SseStream stream = client.open("/api/events?access_token=" + Tokens.member(ws));
        assertEquals(200, stream.statusCode());
        await().atMost(WAIT).until(stream::isLive);
        HandoffEvent event = statusChanged(ws, UUID.randomUUID(), UUID.randomUUID(), null, RunStatus.PENDING, 1);
        publish(event);
        await().atMost(WAIT).until(() -> stream.events().size() == 1);
        assertEquals(event.eventId(), eventId(stream.events().get(0)));

        // an EventSource resuming without headers: the token and the last id both in the query
        SseStream resumed = client.open("/api/events?lastEventId=0&access_token=" + Tokens.member(ws));
        await().atMost(WAIT).until(resumed::isLive);
        assertEquals(List.of(event.eventId()), resumed.events().stream().map(EventStreamTest::eventId).toList());
    }

    @Test
    void streamWithoutTokenIsRefusedWith401Problem() {
        SseStream stream = client.open("/api/events");
        assertEquals(401, stream.statusCode());
        await().atMost(WAIT).until(stream::hasEnded);
        assertTrue(stream.contentType().startsWith("application/problem+json"), stream.contentType());
        assertTrue(stream.body().contains("\"code\":\"unauthorized\""), stream.body());
    }

    @Test
    void streamWithForgedTokenIsRefusedWith401() {
        String token = Tokens.member(workspace());
        SseStream stream = client.open("/api/events?access_token=" + token.substring(0, token.length() - 4) + "AAAA");
        assertEquals(401, stream.statusCode());
    }

    @Test
    void tokenWithoutMemberRoleIsForbidden() {
        SseStream stream = client.open("/api/events", Map.of("Authorization",
                Tokens.bearer(Tokens.token("someone", workspace(), Set.of("guest")))));
        assertEquals(403, stream.statusCode());
    }

    @Test
    void taskIdThatIsNotAUuidIsRefusedWith400Problem() {
        SseStream stream = client.open("/api/events?taskId=banana",
                Map.of("Authorization", Tokens.bearer(Tokens.member(workspace()))));
        assertEquals(400, stream.statusCode());
        await().atMost(WAIT).until(stream::hasEnded);
        assertTrue(stream.contentType().startsWith("application/problem+json"), stream.contentType());
        assertTrue(stream.body().contains("\"code\":\"validation-failed\"") && stream.body().contains("taskId"),
                stream.body());
    }

    @Test
    void lastEventIdThatIsNotASequenceIsRefusedWith400Problem() {
        SseStream stream = client.open("/api/events", Map.of("Authorization", Tokens.bearer(Tokens.member(workspace())),
                "Last-Event-ID", "yesterday"));
        assertEquals(400, stream.statusCode());
        await().atMost(WAIT).until(stream::hasEnded);
        assertTrue(stream.body().contains("lastEventId"), stream.body());
    }

    @Test
    void idleStreamGetsKeepAliveComments() {
        // the test profile beats every 2 s (in production HANDOFF_SSE_HEARTBEAT, 15 s)
        SseStream stream = live(workspace(), "");
        await().atMost(WAIT).until(() -> stream.comments().stream().filter("keep-alive"::equals).count() >= 2);
        assertTrue(stream.events().isEmpty());
    }

    private SseStream live(String workspace, String query) {
        SseStream stream = client.open("/api/events" + query,
                Map.of("Authorization", Tokens.bearer(Tokens.member(workspace))));
        await().atMost(WAIT).until(stream::isLive);
        assertEquals(200, stream.statusCode());
        return stream;
    }

    static void assertIncreasing(List<SseStream.Event> events) {
        long previous = 0;
        for (SseStream.Event event : events) {
            long id = Long.parseLong(event.id());
            assertTrue(id > previous, () -> "ids not strictly increasing: " + events);
            previous = id;
        }
    }

    static UUID eventId(SseStream.Event event) {
        return UUID.fromString(json(event).get("eventId").asText());
    }

    static JsonNode json(SseStream.Event event) {
        try {
            return EventJson.mapper().readTree(event.data());
        } catch (IOException e) {
            throw new AssertionError("data is not JSON: " + event.data(), e);
        }
    }

    static long storedCount(String workspace) {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement("select count(*) from run_event where workspace_id = ?")) {
            query.setString(1, workspace);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
