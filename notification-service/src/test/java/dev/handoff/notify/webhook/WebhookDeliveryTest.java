package dev.handoff.notify.webhook;

import static dev.handoff.notify.support.TestEvents.publish;
import static dev.handoff.notify.support.TestEvents.pullRequestOpened;
import static dev.handoff.notify.support.TestEvents.statusChanged;
import static dev.handoff.notify.support.TestEvents.workspace;
import static dev.handoff.notify.webhook.WebhookApi.deliveries;
import static dev.handoff.notify.webhook.WebhookApi.metric;
import static dev.handoff.notify.webhook.WebhookApi.register;
import static dev.handoff.notify.webhook.WebhookApi.verifySignature;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.events.EventJson;
import dev.handoff.events.HandoffEvent;
import dev.handoff.events.PullRequestOpened;
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
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Deliveries on the real stack: events published to the broker, stored by the consumer, delivered by the worker to
 * receivers on loopback (this profile allows private addresses).
 */
@QuarkusTest
class WebhookDeliveryTest {

    /** Generous: the first test after a start waits for the shared consumer group to settle. */
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URL base;

    @Test
    void receiverGetsEachEventOfARunSignedVerifiableAndInOrder() throws Exception {
        String ws = workspace();
        try (FakeReceiver receiver = FakeReceiver.answering()) {
            Map<String, Object> webhook = register(ws, receiver.url(), null, null);
            String secret = (String) webhook.get("secret");
            UUID task = UUID.randomUUID();
            UUID run = UUID.randomUUID();
            List<HandoffEvent> events = new java.util.ArrayList<>();
            events.add(statusChanged(ws, task, run, null, RunStatus.PENDING, 1));
            Thread.sleep(5);
            events.add(statusChanged(ws, task, run, RunStatus.PENDING, RunStatus.RUNNING, 2));
            Thread.sleep(5);
            events.add(pullRequestOpened(ws, task, run));
            Thread.sleep(5);
            events.add(statusChanged(ws, task, run, RunStatus.RUNNING, RunStatus.COMPLETED, 3));
            events.forEach(e -> publish(e));

            await().atMost(WAIT).until(() -> receiver.requests().size() >= events.size());
            List<FakeReceiver.Request> requests = receiver.requests();
            assertEquals(events.size(), requests.size(), "each event once");
            // the status changes in the order they happened (the pull request travels on its own topic, so it may
            // be stored, and then sent, after a status change that came later)
            List<String> statuses = new java.util.ArrayList<>();
            for (FakeReceiver.Request request : requests) {
                JsonNode data = JSON.readTree(request.body()).get("data");
                if (data.has("status")) {
                    statuses.add(data.get("status").asText());
                }
            }
            assertEquals(List.of("PENDING", "RUNNING", "COMPLETED"), statuses);
            for (HandoffEvent event : events) {
                FakeReceiver.Request request = requests.stream()
                        .filter(r -> new String(r.body(), StandardCharsets.UTF_8).contains(event.eventId().toString()))
                        .findFirst().orElseThrow();
                String name = event instanceof PullRequestOpened ? "run.pull-request-opened" : "run.status-changed";
                assertEquals("POST", request.header(":method"));
                assertEquals("/hooks/handoff?via=test", request.header(":path"));
                assertTrue(request.header("Content-Type").startsWith("application/json"));
                assertEquals(name, request.header("X-Handoff-Event"));
                assertNotNull(UUID.fromString(request.header("X-Handoff-Delivery")));
                long t = verifySignature(request.header("X-Handoff-Signature"), request.body(), secret);
                assertTrue(Math.abs(System.currentTimeMillis() / 1000 - t) < 120, "t is the attempt's unix time");
                JsonNode body = JSON.readTree(request.body());
                assertEquals(name, body.get("event").asText());
                assertEquals(JSON.readTree(EventJson.toJson(event)), body.get("data"), "data is the Kafka event");
            }
            // a wrong secret does not verify
            try {
                verifySignature(requests.get(0).header("X-Handoff-Signature"), requests.get(0).body(), secret + "x");
                throw new IllegalStateException("a wrong secret verified");
            } catch (AssertionError expected) {
                // as it should
            }

            List<Map<String, Object>> log = deliveries(ws, webhook.get("id")).then().statusCode(200)
                    .extract().jsonPath().getList("");
            assertEquals(events.size(), log.size());
            // the same log, one delivery a page along the Link header
            assertEquals(log.stream().map(entry -> List.of(entry.get("id"))).toList(),
                    WebhookApi.pages(ws, "/api/webhooks/" + webhook.get("id") + "/deliveries?limit=1", "id"));
            for (int i = 1; i < log.size(); i++) {
                assertTrue(java.time.Instant.parse((String) log.get(i - 1).get("createdAt"))
                        .compareTo(java.time.Instant.parse((String) log.get(i).get("createdAt"))) >= 0, "newest first");
            }
            for (FakeReceiver.Request request : requests) {
                String eventId = JSON.readTree(request.body()).get("data").get("eventId").asText();
                Map<String, Object> entry = log.stream().filter(e -> eventId.equals(e.get("eventId"))).findFirst()
                        .orElseThrow();
                assertEquals(request.header("X-Handoff-Delivery"), entry.get("id"));
                assertEquals("delivered", entry.get("status"));
                assertEquals(1, entry.get("attempts"));
                assertEquals(200, entry.get("lastStatusCode"));
                assertNull(entry.get("lastError"));
                assertNotNull(entry.get("createdAt"));
                assertNotNull(entry.get("deliveredAt"));
            }
        }
    }

    @Test
    void receiverAnswering500TwiceGetsTheEventOnTheThirdAttemptWithTheSameDeliveryId() throws Exception {
        String ws = workspace();
        double retryingBefore = metric("handoff_webhook_deliveries_total", "result=\"retrying\"");
        double deliveredBefore = metric("handoff_webhook_deliveries_total", "result=\"delivered\"");
        try (FakeReceiver receiver = FakeReceiver.answering(500, 500, 200)) {
            Map<String, Object> webhook = register(ws, receiver.url(), "handoff", List.of("run.status-changed"));
            String secret = (String) webhook.get("secret");
            RunStatusChanged pending = statusChanged(ws, UUID.randomUUID(), UUID.randomUUID(), null, RunStatus.PENDING, 1);
            publish(pending);

            await().atMost(WAIT).until(() -> "delivered".equals(
                    deliveries(ws, webhook.get("id")).then().extract().jsonPath().getString("[0].status")));
            List<FakeReceiver.Request> requests = receiver.requests();
            assertEquals(3, requests.size());
            String deliveryId = requests.get(0).header("X-Handoff-Delivery");
            for (FakeReceiver.Request request : requests) {
                assertEquals(deliveryId, request.header("X-Handoff-Delivery"), "the same delivery id on every attempt");
                verifySignature(request.header("X-Handoff-Signature"), request.body(), secret);
                assertEquals(pending.eventId().toString(),
                        JSON.readTree(request.body()).get("data").get("eventId").asText());
            }
            // growing pauses (test profile: 300 ms, then 600 ms; a little jitter on top)
            long first = TimeUnit.NANOSECONDS.toMillis(requests.get(1).receivedAtNanos() - requests.get(0).receivedAtNanos());
            long second = TimeUnit.NANOSECONDS.toMillis(requests.get(2).receivedAtNanos() - requests.get(1).receivedAtNanos());
            assertTrue(first >= 250, "first pause " + first + " ms");
            assertTrue(second >= 550, "second pause " + second + " ms");

            Map<String, Object> entry = deliveries(ws, webhook.get("id")).then().statusCode(200)
                    .extract().jsonPath().getMap("[0]");
            assertEquals(deliveryId, entry.get("id"));
            assertEquals(3, entry.get("attempts"));
            assertEquals(200, entry.get("lastStatusCode"));
            assertEquals("run.status-changed", entry.get("event"));
        }
        assertTrue(metric("handoff_webhook_deliveries_total", "result=\"retrying\"") >= retryingBefore + 2,
                "two failed attempts counted as retrying");
        assertTrue(metric("handoff_webhook_deliveries_total", "result=\"delivered\"") >= deliveredBefore + 1);
    }

    @Test
    void hangingReceiverDelaysNeitherAnotherReceiverNorTheSseStream() throws Exception {
        String ws = workspace();
        try (FakeReceiver hanging = FakeReceiver.hanging();
                FakeReceiver healthy = FakeReceiver.answering();
                SseClient sse = new SseClient(vertx, base, 5)) {
            register(ws, hanging.url(), null, null);
            register(ws, healthy.url(), null, null);
            SseStream stream = sse.open("/api/events", Map.of("Authorization", Tokens.bearer(Tokens.member(ws))));
            await().atMost(WAIT).until(stream::isLive);

            UUID task = UUID.randomUUID();
            UUID otherTask = UUID.randomUUID();
            UUID run = UUID.randomUUID();
            UUID otherRun = UUID.randomUUID();
            List<HandoffEvent> events = List.of(
                    statusChanged(ws, task, run, null, RunStatus.PENDING, 1),
                    statusChanged(ws, otherTask, otherRun, null, RunStatus.PENDING, 1),
                    statusChanged(ws, task, run, RunStatus.PENDING, RunStatus.RUNNING, 2),
                    statusChanged(ws, otherTask, otherRun, RunStatus.PENDING, RunStatus.RUNNING, 2),
                    statusChanged(ws, task, run, RunStatus.RUNNING, RunStatus.FAILED, 3));
            for (HandoffEvent event : events) {
                publish(event);
                Thread.sleep(150); // events spread out as a run's are
            }

            await().atMost(WAIT).until(() -> stream.events().size() >= events.size()
                    && healthy.requests().size() >= events.size());
            List<SseStream.Event> streamed = stream.events();
            List<FakeReceiver.Request> received = healthy.requests();
            double max = 0;
            for (HandoffEvent event : events) {
                String id = event.eventId().toString();
                SseStream.Event onStream = streamed.stream().filter(e -> e.data().contains(id)).findFirst().orElseThrow();
                FakeReceiver.Request atReceiver = received.stream()
                        .filter(r -> new String(r.body(), StandardCharsets.UTF_8).contains(id)).findFirst().orElseThrow();
                double lagMs = (atReceiver.receivedAtNanos() - onStream.receivedAtNanos()) / 1e6;
                max = Math.max(max, lagMs);
            }
            assertTrue(max < 1000, "the healthy receiver got each event within a second of the SSE client, worst " + max + " ms");
            // the hanging receiver holds the first event of each run; the later ones of a run wait for it (order)
            java.util.Set<String> held = new java.util.HashSet<>();
            for (FakeReceiver.Request request : hanging.requests()) {
                held.add(JSON.readTree(request.body()).get("data").get("eventId").asText());
            }
            assertEquals(java.util.Set.of(events.get(0).eventId().toString(), events.get(1).eventId().toString()), held);
        }
    }

    @Test
    void slackFormatSendsALineOfTextWithTheTaskTitle() throws Exception {
        String ws = workspace();
        try (FakeReceiver slack = FakeReceiver.answering()) {
            register(ws, slack.url(), "slack", null);
            UUID task = UUID.randomUUID();
            UUID run = UUID.randomUUID();
            PullRequestOpened opened = pullRequestOpened(ws, task, run);
            publish(statusChanged(ws, task, run, null, RunStatus.PENDING, 1));
            await().atMost(WAIT).until(() -> slack.requests().size() >= 1);
            publish(opened);
            await().atMost(WAIT).until(() -> slack.requests().size() >= 2);
            publish(statusChanged(ws, task, run, RunStatus.PENDING, RunStatus.COMPLETED, 2));
            await().atMost(WAIT).until(() -> slack.requests().size() >= 3);
            List<String> texts = slack.requests().stream().map(r -> {
                try {
                    JsonNode body = JSON.readTree(r.body());
                    assertEquals(1, body.size(), "only text");
                    return body.get("text").asText();
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
            // before the pull request this service has not seen the task's title: the task's id stands in
            assertEquals("Task " + task + ": PENDING", texts.get(0));
            assertEquals(opened.title() + ": pull request opened " + opened.url(), texts.get(1));
            assertEquals(opened.title() + ": COMPLETED", texts.get(2));
        }
    }

    @Test
    void secretIsStoredSealedAndShownOnlyInTheCreateAnswer() throws Exception {
        String ws = workspace();
        Map<String, Object> created = register(ws, "http://127.0.0.1:9/hook", null, null);
        String secret = (String) created.get("secret");
        assertTrue(secret.matches("[0-9a-f]{64}"), "32 random bytes, hex");
        String listed = io.restassured.RestAssured.given()
                .header("Authorization", Tokens.bearer(Tokens.admin(ws))).when().get("/api/webhooks")
                .then().statusCode(200).extract().asString();
        assertTrue(listed.contains(created.get("id").toString()));
        assertTrue(!listed.contains(secret) && !listed.contains("\"secret\""), listed);
        String log = deliveries(ws, created.get("id")).then().statusCode(200).extract().asString();
        assertTrue(!log.contains(secret));
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement("select secret, secret_key_id from webhook where id = ?")) {
            query.setObject(1, UUID.fromString(created.get("id").toString()));
            try (ResultSet row = query.executeQuery()) {
                assertTrue(row.next());
                assertTrue(!new String(row.getBytes(1), StandardCharsets.ISO_8859_1).contains(secret), "sealed at rest");
                assertNotNull(row.getString(2));
            }
        }
    }

    @Test
    void aDeliveryClaimedByAReplicaThatDiedIsMadeByAnotherWhenItsLeaseRunsOut() throws Exception {
        String ws = workspace();
        try (FakeReceiver receiver = FakeReceiver.answering()) {
            Map<String, Object> webhook = register(ws, receiver.url(), null, null);
            UUID task = UUID.randomUUID();
            UUID run = UUID.randomUUID();
            // a delivery as a replica left it when it was killed in the middle of an attempt: leased, not recorded
            UUID deliveryId = UUID.randomUUID();
            RunStatusChanged event = statusChanged(ws, task, run, null, RunStatus.PENDING, 1);
            try (Connection db = HandoffTestResource.database().connect();
                    PreparedStatement insert = db.prepareStatement("""
                            insert into webhook_delivery (id, webhook_id, event_id, event_type, run_id, task_id, sequence,
                                                          payload, leased_until)
                            values (?, ?, ?, 'run.status-changed', ?, ?, 0, ?, now() + interval '2 seconds')""")) {
                insert.setObject(1, deliveryId);
                insert.setObject(2, UUID.fromString(webhook.get("id").toString()));
                insert.setObject(3, event.eventId());
                insert.setObject(4, run);
                insert.setObject(5, task);
                insert.setString(6, EventJson.toJson(event));
                insert.executeUpdate();
            }
            Thread.sleep(1000);
            assertEquals(0, receiver.requests().size(), "nobody touches a leased delivery");
            await().atMost(WAIT).until(() -> receiver.requests().size() == 1);
            assertEquals(deliveryId.toString(), receiver.requests().get(0).header("X-Handoff-Delivery"));
        }
    }
}
