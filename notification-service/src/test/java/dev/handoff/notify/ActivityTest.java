package dev.handoff.notify;

import static dev.handoff.notify.EventStreamTest.assertIncreasing;
import static dev.handoff.notify.EventStreamTest.eventId;
import static dev.handoff.notify.EventStreamTest.json;
import static dev.handoff.notify.support.TestEvents.activity;
import static dev.handoff.notify.support.TestEvents.publish;
import static dev.handoff.notify.support.TestEvents.statusChanged;
import static dev.handoff.notify.support.TestEvents.workspace;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.RunActivity;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.idempotency.ProcessedEvents;
import dev.handoff.notify.messaging.RunActivityConsumer;
import dev.handoff.notify.repository.ActivityStore;
import dev.handoff.notify.repository.RunEventStore;
import dev.handoff.notify.service.ActivityMetrics;
import dev.handoff.notify.service.ActivityRetention;
import dev.handoff.notify.service.ActivityService;
import dev.handoff.resilience.Redelivery;
import dev.handoff.notify.support.ActivityAssignments;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.KafkaProbe;
import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import dev.handoff.testsupport.Tokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
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
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Run activity end to end: real broker, real database, real SSE connections and HTTP. */
@QuarkusTest
class ActivityTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

    @Inject
    Vertx vertx;

    @Inject
    RunEventStore events;

    @Inject
    ActivityStore activityStore;

    @Inject
    ActivityRetention configuredRetention;

    @Inject
    ActivityService activityService;

    @Inject
    Redelivery redelivery;

    @Inject
    ProcessedEvents processed;

    @TestHTTPResource("/")
    URL base;

    private SseClient client;

    @BeforeEach
    void client() {
        ActivityAssignments.awaitConsumerReady();
        client = new SseClient(vertx, base, 20);
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    @Test
    void batchesArriveLiveAsRunActivityOnTheRunsStreamInTheEventsSequence() {
        String ws = workspace();
        UUID task = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        UUID otherRun = UUID.randomUUID();
        SseStream ofRun = live(ws, "?runId=" + run);
        SseStream ofTask = live(ws, "?taskId=" + task);
        SseStream all = live(ws, "");

        RunStatusChanged running = statusChanged(ws, task, run, RunStatus.PENDING, RunStatus.RUNNING, 2);
        events.store(RunEvent.unsequenced(running), Instant.now()).await().atMost(WAIT);
        RunActivity first = activity(ws, task, run, 1, 3);
        RunActivity foreign = activity(ws, UUID.randomUUID(), otherRun, 1, 2);
        RunActivity second = activity(ws, task, run, 4, 2);
        publish(first);
        publish(foreign);
        publish(second);

        await().atMost(WAIT).until(() -> ofRun.events().size() >= 3 && all.events().size() >= 4);
        List<SseStream.Event> seen = ofRun.events();
        assertEquals(3, seen.size(), () -> "events: " + seen);
        assertEquals(List.of("run.status-changed", "run.activity", "run.activity"),
                seen.stream().map(SseStream.Event::event).toList());
        assertEquals(List.of(running.eventId(), first.eventId(), second.eventId()),
                seen.stream().map(EventStreamTest::eventId).toList());
        assertIncreasing(seen); // one sequence for status changes and activity
        JsonNode data = json(seen.get(1));
        assertEquals(ws, data.get("workspaceId").asText());
        assertEquals(run.toString(), data.get("runId").asText());
        assertEquals(task.toString(), data.get("taskId").asText());
        assertEquals("local", data.get("provider").asText());
        assertEquals(List.of(1L, 2L, 3L), seqs(data));
        assertEquals("step", data.get("entries").get(0).get("kind").asText());
        assertEquals("line 1", data.get("entries").get(0).get("text").asText());
        assertTrue(data.get("entries").get(0).hasNonNull("at"));
        assertEquals(List.of(4L, 5L), seqs(json(seen.get(2))));

        await().atMost(WAIT).until(() -> ofTask.events().size() >= 3);
        assertEquals(List.of(running.eventId(), first.eventId(), second.eventId()),
                ofTask.events().stream().map(EventStreamTest::eventId).toList());
        assertEquals(Set.of(running.eventId(), first.eventId(), foreign.eventId(), second.eventId()),
                Set.copyOf(all.events().stream().map(EventStreamTest::eventId).toList()));
    }

    @Test
    void reconnectWithLastEventIdGetsExactlyTheMissedBatchesThenLiveOnes() {
        String ws = workspace();
        UUID task = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        String query = "?runId=" + run;
        SseStream first = live(ws, query);
        publish(activity(ws, task, run, 1, 10));
        await().atMost(WAIT).until(() -> first.events().size() == 1);
        String lastSeen = first.events().get(0).id();
        first.close();
        await().atMost(WAIT).until(first::hasEnded);

        RunActivity missed1 = activity(ws, task, run, 11, 10);
        RunActivity missed2 = activity(ws, task, run, 21, 10);
        publish(missed1);
        publish(missed2);
        await().atMost(WAIT).until(() -> lastSeqOf(ws, run) == 30);

        SseStream again = client.open("/api/events" + query, Map.of("Authorization", Tokens.bearer(Tokens.member(ws)),
                "Last-Event-ID", lastSeen));
        await().atMost(WAIT).until(again::isLive);
        List<SseStream.Event> replayed = again.events();
        assertEquals(List.of(missed1.eventId(), missed2.eventId()),
                replayed.stream().map(EventStreamTest::eventId).toList());
        assertTrue(replayed.get(0).sequence() > Long.parseLong(lastSeen));
        assertEquals(LongStream.rangeClosed(11, 30).boxed().toList(),
                replayed.stream().flatMap(e -> seqs(json(e)).stream()).toList());

        RunActivity later = activity(ws, task, run, 31, 5);
        publish(later);
        await().atMost(WAIT).until(() -> again.events().size() >= 3);
        assertEquals(3, again.events().size());
        assertEquals(later.eventId(), eventId(again.events().get(2)));
        assertIncreasing(again.events());
    }

    @Test
    void activityPagesThrough250EntriesInSeqOrderFollowingLink() {
        String ws = workspace();
        UUID task = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        publish(activity(ws, task, run, 1, 100));
        publish(activity(ws, task, run, 101, 100));
        publish(activity(ws, task, run, 201, 50));
        await().atMost(WAIT).until(() -> lastSeqOf(ws, run) == 250);
        assertEquals(3, batchRows(run)); // a row per batch, not per entry

        List<Long> seqs = new ArrayList<>();
        List<String> links = new ArrayList<>();
        String next = "/api/activity?runId=" + run + "&limit=100";
        while (next != null) {
            Response page = given().header("Authorization", Tokens.bearer(Tokens.member(ws))).get(next);
            page.then().statusCode(200).contentType("application/json");
            List<Map<String, Object>> entries = page.jsonPath().getList("");
            entries.forEach(entry -> seqs.add(((Number) entry.get("seq")).longValue()));
            if (!entries.isEmpty()) {
                Map<String, Object> entry = entries.get(0);
                long seq = ((Number) entry.get("seq")).longValue();
                assertEquals("line " + seq, entry.get("text"));
                assertEquals(seq == 1 ? "step" : "log", entry.get("kind"));
                Instant.parse((String) entry.get("at"));
                assertEquals(Set.of("seq", "at", "kind", "text"), entry.keySet());
            }
            next = nextLink(page);
            if (next != null) {
                links.add(next);
            }
        }
        assertEquals(LongStream.rangeClosed(1, 250).boxed().toList(), seqs);
        assertEquals(List.of("/api/activity?runId=" + run + "&after=100&limit=100",
                "/api/activity?runId=" + run + "&after=200&limit=100"), links);

        // defaults: after 0, limit 50; and an admin reads like a member
        Response firstPage = given().header("Authorization", Tokens.bearer(Tokens.admin(ws)))
                .queryParam("runId", run.toString()).get("/api/activity");
        firstPage.then().statusCode(200);
        assertEquals(LongStream.rangeClosed(1, 50).boxed().toList(), seqsOf(firstPage));
        assertEquals("/api/activity?runId=" + run + "&after=50&limit=50", nextLink(firstPage));
        // a page that ends exactly at the last entry has no next
        Response last = given().header("Authorization", Tokens.bearer(Tokens.member(ws)))
                .queryParam("runId", run.toString()).queryParam("after", 240).queryParam("limit", 10).get("/api/activity");
        assertEquals(LongStream.rangeClosed(241, 250).boxed().toList(), seqsOf(last));
        assertNull(nextLink(last));
        // a page starting inside a batch
        Response middle = given().header("Authorization", Tokens.bearer(Tokens.member(ws)))
                .queryParam("runId", run.toString()).queryParam("after", 95).queryParam("limit", 10).get("/api/activity");
        assertEquals(LongStream.rangeClosed(96, 105).boxed().toList(), seqsOf(middle));
        Response beyond = given().header("Authorization", Tokens.bearer(Tokens.member(ws)))
                .queryParam("runId", run.toString()).queryParam("after", 250).get("/api/activity");
        assertEquals(List.of(), seqsOf(beyond));
        assertNull(nextLink(beyond));
    }

    @Test
    void redeliveredAndOverlappingBatchesAreStoredAndStreamedOnce() {
        String ws = workspace();
        UUID task = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        SseStream stream = live(ws, "?runId=" + run);
        RunActivity batch = activity(ws, task, run, 1, 100);
        RunActivity overlapping = activity(ws, task, run, 51, 100); // 51-150: the gateway resent half of it
        RunActivity contained = activity(ws, task, run, 20, 10); // nothing new in it
        RunActivity next = activity(ws, task, run, 151, 10);
        publish(batch);
        publish(batch); // at-least-once: the same event again
        publish(overlapping);
        publish(contained);
        publish(next);
        await().atMost(WAIT).until(() -> lastSeqOf(ws, run) == 160);

        List<Long> seqs = seqsOf(given().header("Authorization", Tokens.bearer(Tokens.member(ws)))
                .queryParam("runId", run.toString()).queryParam("limit", 200).get("/api/activity"));
        assertEquals(LongStream.rangeClosed(1, 160).boxed().toList(), seqs);
        assertEquals(3, batchRows(run));

        await().atMost(WAIT).until(() -> stream.events().size() >= 3);
        List<SseStream.Event> streamed = stream.events();
        assertEquals(List.of(batch.eventId(), overlapping.eventId(), next.eventId()),
                streamed.stream().map(EventStreamTest::eventId).toList());
        // the overlapping batch is streamed trimmed to what it brought
        assertEquals(LongStream.rangeClosed(1, 160).boxed().toList(),
                streamed.stream().flatMap(e -> seqs(json(e)).stream()).toList());
    }

    @Test
    void theEntriesMetricCountsEachEntryOnce() {
        // a consumer of its own with a registry of its own: the service's consumer also stores (and counts) the
        // batches other modules' tests publish on the shared broker
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RunActivityConsumer consumer = new RunActivityConsumer(activityService, redelivery, processed,
                new ActivityMetrics(registry));
        String ws = workspace();
        UUID task = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        RunActivity batch = activity(ws, task, run, 1, 100);
        consumer.onRunActivity(batch).await().atMost(WAIT);
        consumer.onRunActivity(batch).await().atMost(WAIT);
        consumer.onRunActivity(activity(ws, task, run, 51, 100)).await().atMost(WAIT);
        consumer.onRunActivity(activity(ws, task, run, 20, 10)).await().atMost(WAIT);
        consumer.onRunActivity(activity(ws, task, run, 151, 10)).await().atMost(WAIT);

        assertEquals(160.0, registry.get("handoff.activity.entries").counter().count());
        assertEquals(160, lastSeqOf(ws, run));
        assertEquals(3, batchRows(run));
    }

    @Test
    void aNulCharacterTheAgentPrintedIsStoredAsAReplacementCharacter() {
        String ws = workspace();
        UUID run = UUID.randomUUID();
        Instant now = Instant.now();
        publish(new RunActivity(UUID.randomUUID(), now, ws, run, UUID.randomUUID(), "local",
                List.of(new RunActivity.Entry(1, now, "log", "binary\u0000output"))));
        await().atMost(WAIT).until(() -> lastSeqOf(ws, run) == 1);
        given().header("Authorization", Tokens.bearer(Tokens.member(ws))).queryParam("runId", run.toString())
                .get("/api/activity").then().statusCode(200).body("[0].text", equalTo("binary\uFFFDoutput"));
    }

    @Test
    void anotherWorkspacesRunAndAnUnknownRunAre404AKnownRunWithoutActivityIsEmpty() {
        String ws = workspace();
        String other = workspace();
        UUID run = UUID.randomUUID();
        publish(activity(ws, UUID.randomUUID(), run, 1, 5));
        await().atMost(WAIT).until(() -> lastSeqOf(ws, run) == 5);

        given().header("Authorization", Tokens.bearer(Tokens.member(other))).queryParam("runId", run.toString())
                .get("/api/activity").then().statusCode(404).contentType("application/problem+json")
                .body("code", equalTo("not-found"));
        given().header("Authorization", Tokens.bearer(Tokens.member(ws))).queryParam("runId", UUID.randomUUID().toString())
                .get("/api/activity").then().statusCode(404).body("code", equalTo("not-found"));

        // a run known by its status alone: no activity yet
        UUID quiet = UUID.randomUUID();
        events.store(RunEvent.unsequenced(statusChanged(ws, UUID.randomUUID(), quiet, null, RunStatus.PENDING, 1)),
                Instant.now()).await().atMost(WAIT);
        given().header("Authorization", Tokens.bearer(Tokens.member(ws))).queryParam("runId", quiet.toString())
                .get("/api/activity").then().statusCode(200).body("size()", equalTo(0));
        given().header("Authorization", Tokens.bearer(Tokens.member(other))).queryParam("runId", quiet.toString())
                .get("/api/activity").then().statusCode(404);
    }

    @Test
    void badParametersAre400ValidationFailedAndTheEndpointNeedsAMember() {
        String ws = workspace();
        UUID run = UUID.randomUUID();
        Map<String, String> bad = Map.of(
                "", "runId",
                "?runId=", "runId",
                "?runId=banana", "runId",
                "&after=-1", "after",
                "&after=soon", "after",
                "&limit=0", "limit",
                "&limit=201", "limit",
                "&limit=", "limit",
                "&limit=many", "limit");
        bad.forEach((query, field) -> {
            String path = "/api/activity" + (query.startsWith("&") ? "?runId=" + run + query : query);
            given().header("Authorization", Tokens.bearer(Tokens.member(ws))).get(path).then()
                    .statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("validation-failed"))
                    .body("violations.field", hasItem(field));
        });
        given().header("Authorization", Tokens.bearer(Tokens.member(ws)))
                .get("/api/activity?runId=x&after=y&limit=z").then().statusCode(400)
                .body("violations.size()", equalTo(3));

        given().queryParam("runId", run.toString()).get("/api/activity").then().statusCode(401);
        given().header("Authorization", Tokens.bearer(Tokens.token("someone", ws, Set.of())))
                .queryParam("runId", run.toString()).get("/api/activity").then().statusCode(403);
    }

    @Test
    void unusableBatchesGoToTheDeadLetterTopicAndAreNotStored() {
        String ws = workspace();
        UUID unreadable = UUID.randomUUID();
        KafkaProbe.publishRaw(Topics.RUN_ACTIVITY, unreadable.toString(), "{not json", "RunActivity",
                UUID.randomUUID().toString());
        RunActivity nowhere = activity("Not A Workspace!", UUID.randomUUID(), UUID.randomUUID(), 1, 1);
        publish(nowhere);
        UUID empty = UUID.randomUUID();
        publish(new RunActivity(UUID.randomUUID(), Instant.now(), ws, empty, UUID.randomUUID(), "local", List.of()));
        // a run of this workspace, claimed by a batch that says it is another's
        UUID run = UUID.randomUUID();
        publish(activity(ws, UUID.randomUUID(), run, 1, 1));
        await().atMost(WAIT).until(() -> lastSeqOf(ws, run) == 1);
        RunActivity intruder = activity(workspace(), UUID.randomUUID(), run, 2, 1);
        publish(intruder);

        String dlq = Topics.RUN_ACTIVITY + Topics.DLQ_SUFFIX;
        assertEquals(1, KafkaProbe.await(dlq, KafkaProbe.ofRun(unreadable), 1, WAIT).size());
        assertEquals(1, KafkaProbe.await(dlq, KafkaProbe.ofRun(empty), 1, WAIT).size());
        assertEquals(1, KafkaProbe.await(dlq, KafkaProbe.ofRun(nowhere.runId()), 1, WAIT).size());
        assertEquals(1, KafkaProbe.await(dlq, r -> r.value() != null && r.value().contains(intruder.eventId().toString()),
                1, WAIT).size());
        assertEquals(0, batchRows(empty));
        assertEquals(0, batchRows(nowhere.runId()));
        assertEquals(1, batchRows(run));
        assertEquals(1, lastSeqOf(ws, run));
    }

    @Test
    void webhooksAreNotSentActivity() throws SQLException {
        String ws = workspace();
        UUID task = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        given().header("Authorization", Tokens.bearer(Tokens.admin(ws)))
                .contentType("application/json").body(Map.of("url", "http://127.0.0.1:9/hook"))
                .post("/api/webhooks").then().statusCode(201)
                .body("events", equalTo(List.of("run.status-changed", "run.pull-request-opened")));

        publish(activity(ws, task, run, 1, 5));
        await().atMost(WAIT).until(() -> lastSeqOf(ws, run) == 5);
        events.store(RunEvent.unsequenced(statusChanged(ws, task, run, null, RunStatus.PENDING, 1)), Instant.now())
                .await().atMost(WAIT);

        // the status change is enqueued for the webhook (so the count below can see deliveries), the activity is not
        assertEquals(List.of("run.status-changed"), deliveredEvents(ws));
    }

    @Test
    void purgeRemovesActivityOlderThanTheRetentionInBatchesAndForgetsItsRun() throws SQLException {
        String ws = workspace();
        UUID task = UUID.randomUUID();
        UUID oldRun = UUID.randomUUID();
        UUID freshRun = UUID.randomUUID();
        for (int i = 0; i < 5; i++) {
            publish(activity(ws, task, oldRun, 1 + i * 10L, 10));
        }
        publish(activity(ws, task, freshRun, 1, 10));
        await().atMost(WAIT).until(() -> lastSeqOf(ws, oldRun) == 50 && lastSeqOf(ws, freshRun) == 10);
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement age = db.prepareStatement(
                        "update run_activity set created_at = now() - interval '31 days' where run_id = ?");
                PreparedStatement seen = db.prepareStatement(
                        "update known_run set seen_at = now() - interval '31 days' where run_id = ?")) {
            age.setObject(1, oldRun);
            assertEquals(5, age.executeUpdate());
            seen.setObject(1, oldRun);
            assertEquals(1, seen.executeUpdate());
        }

        ActivityRetention.Purged purged = new ActivityRetention(activityStore, Duration.ofDays(30), 2)
                .purge(Instant.now()).await().atMost(WAIT);

        assertEquals(new ActivityRetention.Purged(5, 1), purged);
        assertEquals(0, batchRows(oldRun));
        assertEquals(1, batchRows(freshRun));
        given().header("Authorization", Tokens.bearer(Tokens.member(ws))).queryParam("runId", oldRun.toString())
                .get("/api/activity").then().statusCode(404);
        given().header("Authorization", Tokens.bearer(Tokens.member(ws))).queryParam("runId", freshRun.toString())
                .get("/api/activity").then().statusCode(200).body("size()", equalTo(10));
    }

    @Test
    void theRetentionIsThirtyDaysByDefault() {
        // the scheduled purge uses the configured HANDOFF_ACTIVITY_RETENTION, P30D unless set
        assertEquals(Duration.ofDays(30), configuredRetention.retention());
    }

    @Test
    void metricsCountStoredEntriesAndOpenApiDescribesTheActivityEndpoint() {
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("handoff_activity_entries_total"));
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/activity'.get.parameters.name", hasItem("runId"))
                .body("paths.'/api/activity'.get.responses.'404'", org.hamcrest.Matchers.notNullValue())
                .body(org.hamcrest.Matchers.containsString("run.activity"));
    }

    // ---- helpers ----

    private SseStream live(String workspace, String query) {
        SseStream stream = client.open("/api/events" + query,
                Map.of("Authorization", Tokens.bearer(Tokens.member(workspace))));
        await().atMost(WAIT).until(stream::isLive);
        assertEquals(200, stream.statusCode());
        return stream;
    }

    private static List<Long> seqs(JsonNode activity) {
        return StreamSupport.stream(activity.get("entries").spliterator(), false).map(e -> e.get("seq").asLong()).toList();
    }

    private static List<Long> seqsOf(Response page) {
        page.then().statusCode(200);
        return page.jsonPath().<Number>getList("seq").stream().map(Number::longValue).toList();
    }

    private static String nextLink(Response page) {
        String link = page.header("Link");
        if (link == null) {
            return null;
        }
        Matcher m = NEXT.matcher(link);
        assertTrue(m.matches(), link);
        return m.group(1);
    }

    /** The highest seq stored for the run in this workspace (0 when none). */
    private static long lastSeqOf(String workspace, UUID run) {
        return query("select coalesce(max(last_seq), 0) from run_activity where workspace_id = ? and run_id = ?",
                workspace, run);
    }

    private static long batchRows(UUID run) {
        return query("select count(*) from run_activity where run_id = ?", run);
    }

    private static List<String> deliveredEvents(String workspace) throws SQLException {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement("select d.event_type from webhook_delivery d"
                        + " join webhook w on w.id = d.webhook_id where w.workspace_id = ? order by d.sequence")) {
            query.setString(1, workspace);
            List<String> types = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    types.add(rows.getString(1));
                }
            }
            return types;
        }
    }

    private static long query(String sql, Object... parameters) {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
