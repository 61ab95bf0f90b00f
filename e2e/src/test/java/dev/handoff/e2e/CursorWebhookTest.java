package dev.handoff.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.e2e.chaos.RawHttp;
import dev.handoff.testsupport.FakeCursorApi;
import dev.handoff.testsupport.FakeCursorApi.Delivery;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Cursor's status webhooks ({@code POST /webhooks/cursor/{runId}} on the gateway) against forgery and repetition, on
 * runs launched at the fake Cursor: only a delivery signed with the run's own secret over the exact body it carries
 * changes anything, and then only once; a final run stays final.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(2)
class CursorWebhookTest {

    private static final Duration QUIET = Duration.ofSeconds(2);

    private E2eStack e2e;
    private FakeCursorApi cursor;
    private Api api;
    private final RawHttp http = new RawHttp();
    private String runId;
    private String agentId;
    private String otherRunId;
    private String otherAgentId;
    private Delivery finished;

    @BeforeAll
    void launchTwoCursorRunsThatAreRunning() {
        e2e = E2eStack.get();
        cursor = e2e.cursor();
        api = new Api(e2e, e2e.jwt().admin(E2eStack.newWorkspace("hooks")));
        api.configureCursor(E2eStack.CURSOR_KEY);
        String brief = api.newBrief();
        runId = launchRunning(api.newTask(brief, "Webhook target"));
        agentId = agentOf(runId);
        otherRunId = launchRunning(api.newTask(brief, "Another cursor run"));
        otherAgentId = agentOf(otherRunId);
        finished = cursor.webhook(agentId, "FINISHED", "https://github.com/acme/greeter/pull/7", "Added the --shout option");
    }

    private String launchRun(String taskId) {
        return api.launch(taskId, Map.of("repositoryUrl", "https://github.com/acme/greeter.git", "branch", "main"))
                .get("id").asText();
    }

    private String launchRunning(String taskId) {
        String id = launchRun(taskId);
        String agent = agentOf(id);
        cursor.setStatus(agent, "RUNNING", null, null);
        api.awaitStatus(id, "RUNNING", Duration.ofSeconds(30));
        return id;
    }

    private String agentOf(String id) {
        String branch = api.run(id).get("targetBranch").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> cursor.agentForBranch(branch).isPresent());
        FakeCursorApi.Agent agent = cursor.agentForBranch(branch).orElseThrow();
        assertTrue(agent.webhookUrl.endsWith("/webhooks/cursor/" + id), "the launch asked for a webhook to this run: " + agent.webhookUrl);
        assertTrue(agent.webhookSecret.length() >= 32, "a per-run secret of 32+ characters");
        return agent.id;
    }

    @Test
    @Order(1)
    void aWebhookSignedWithAnotherSecretIsRefusedAndChangesNothing() {
        Delivery forged = finished.withHeader("X-Webhook-Signature", FakeCursorApi.sign("x".repeat(48), finished.body()));
        refusedAndNothingChanges(forged, runId);
    }

    @Test
    @Order(2)
    void aWebhookWithoutSignatureIsRefusedAndChangesNothing() {
        refusedAndNothingChanges(finished.withHeader("X-Webhook-Signature", null), runId);
        refusedAndNothingChanges(finished.withHeader("X-Webhook-Signature", ""), runId);
        refusedAndNothingChanges(finished.withHeader("X-Webhook-Signature", "sha256="), runId);
        refusedAndNothingChanges(finished.withHeader("X-Webhook-Signature", "sha256=not-hex"), runId);
        String hex = finished.headers().get("X-Webhook-Signature").substring("sha256=".length());
        refusedAndNothingChanges(finished.withHeader("X-Webhook-Signature", "sha1=" + hex), runId);
        refusedAndNothingChanges(finished.withHeader("X-Webhook-Signature", hex), runId);
    }

    @Test
    @Order(3)
    void aBearerTokenDoesNotStandInForTheSignature() {
        Delivery withToken = finished.withHeader("X-Webhook-Signature", null).withHeader("Authorization", "Bearer " + api.token());
        refusedAndNothingChanges(withToken, runId);
    }

    @Test
    @Order(4)
    void aBodyChangedAfterSigningIsRefusedAndChangesNothing() {
        String text = finished.text();
        refusedAndNothingChanges(finished.withBody(text.replace("/pull/7", "/pull/666").getBytes(StandardCharsets.UTF_8)), runId);
        refusedAndNothingChanges(finished.withBody(text.replace("\"FINISHED\"", "\"ERROR\"").getBytes(StandardCharsets.UTF_8)), runId);
        refusedAndNothingChanges(finished.withBody((text + " ").getBytes(StandardCharsets.UTF_8)), runId);
    }

    @Test
    @Order(5)
    void anotherRunsSignedDeliveryIsRefusedAtThisRunsAddress() {
        Delivery elsewhere = new Delivery(e2e.gateway("/webhooks/cursor/" + otherRunId), finished.body(), finished.headers());
        refusedAndNothingChanges(elsewhere, otherRunId);
    }

    @Test
    @Order(6)
    void aFinishedWebhookForAnUnknownRunIsRefusedAndWritesNothing() {
        awaitQuiet();
        var before = e2e.databases().rowCounts();
        for (String unknown : new String[] {UUID.randomUUID().toString(), "not-a-uuid", "00000000-0000-0000-0000-000000000000"}) {
            RawHttp.Answer answer = post(new Delivery(e2e.gateway("/webhooks/cursor/" + unknown), finished.body(), finished.headers()));
            assertTrue(answer.status() == 401 || answer.status() == 404, "unknown run " + unknown + ": " + answer.brief());
            assertProblem(answer);
        }
        assertEquals(before, e2e.databases().rowCounts(), "no row written for an unknown run");
    }

    @Test
    @Order(7)
    void aValidDeliveryCompletesTheRunWithCursorsPullRequest() {
        RawHttp.Answer answer = post(finished);
        assertTrue(answer.status() >= 200 && answer.status() < 300, answer.brief());
        JsonNode run = api.awaitStatus(runId, "COMPLETED", Duration.ofSeconds(15));
        assertEquals("https://github.com/acme/greeter/pull/7", run.path("pullRequest").path("url").asText(), run.toString());
        // Cursor agrees from now on, so that polling tells the same story as the webhook
        cursor.setStatus(agentId, "FINISHED", "https://github.com/acme/greeter/pull/7", "Added the --shout option");
        await().atMost(Duration.ofSeconds(30)).until(() -> e2e.databases().query("handoff_notifications" + E2eStack.DB_SUFFIX,
                "select 1 from run_event where run_id = ?::uuid and event_type in ('PullRequestOpened', 'run.pull-request-opened')", runId).size() == 1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode agentRun = api.get(e2e.tasks("/api/tasks/" + run.get("taskId").asText())).json().get("agentRun");
            assertEquals("COMPLETED", agentRun.get("status").asText());
            assertEquals("https://github.com/acme/greeter/pull/7", agentRun.path("pullRequestUrl").asText(), agentRun.toString());
        });
    }

    @Test
    @Order(8)
    void aReplayedDeliveryIsAcceptedAndChangesNothing() {
        acceptedAndNothingChanges(finished, runId);
        acceptedAndNothingChanges(finished.withHeader("X-Webhook-ID", "msg_" + UUID.randomUUID()), runId);
    }

    @Test
    @Order(9)
    void runningAfterFinishedChangesNothing() {
        acceptedAndNothingChanges(cursor.webhook(agentId, "RUNNING", null, null), runId);
        acceptedAndNothingChanges(cursor.webhook(agentId, "ERROR", null, "late error"), runId);
        assertEquals("COMPLETED", api.run(runId).get("status").asText());
    }

    @Test
    @Order(10)
    void theOtherRunStillEndsByPollingAlone() {
        cursor.setStatus(otherAgentId, "ERROR", null, "the agent crashed");
        JsonNode run = api.awaitStatus(otherRunId, "FAILED", Duration.ofSeconds(30));
        assertEquals("provider-error", run.path("error").path("code").asText(), run.toString());
    }

    // ---- helpers ----

    private RawHttp.Answer post(Delivery delivery) {
        return http.send("POST", delivery.url(), delivery.headers(), delivery.body());
    }

    private void refusedAndNothingChanges(Delivery delivery, String target) {
        State before = state(target);
        RawHttp.Answer answer = post(delivery);
        assertEquals(401, answer.status(), "a forged delivery is refused: " + answer.brief());
        assertProblem(answer);
        assertEquals("unauthorized", answer.code(), answer.brief());
        await().during(QUIET).atMost(QUIET.plusSeconds(5)).untilAsserted(() -> assertEquals(before, state(target)));
    }

    private void acceptedAndNothingChanges(Delivery delivery, String target) {
        State before = state(target);
        RawHttp.Answer answer = post(delivery);
        assertTrue(answer.status() >= 200 && answer.status() < 300, "a genuine delivery is answered 2xx: " + answer.brief());
        await().during(QUIET).atMost(QUIET.plusSeconds(5)).untilAsserted(() -> assertEquals(before, state(target)));
    }

    /** What a webhook could change: the run as the API shows it, its stored events, the task's projection. */
    private record State(JsonNode run, long events, JsonNode agentRun) {
    }

    private State state(String target) {
        JsonNode run = api.run(target);
        JsonNode task = api.get(e2e.tasks("/api/tasks/" + run.get("taskId").asText())).json();
        return new State(run, eventsOf(target), task == null ? null : task.get("agentRun"));
    }

    private long eventsOf(String target) {
        return ((Number) e2e.databases().query("handoff_notifications" + E2eStack.DB_SUFFIX,
                "select count(*) as n from run_event where run_id = ?::uuid", target).get(0).get("n")).longValue();
    }

    private void awaitQuiet() {
        var previous = new java.util.concurrent.atomic.AtomicReference<>(e2e.databases().rowCounts());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            var now = e2e.databases().rowCounts();
            return Objects.equals(previous.getAndSet(now), now);
        });
    }

    static void assertProblem(RawHttp.Answer answer) {
        assertTrue(answer.isProblem(), "an application/problem+json body: " + answer.brief());
        assertTrue(answer.code() != null && !answer.code().isBlank(), "a code: " + answer.brief());
        assertTrue(answer.detail() != null && !answer.detail().isBlank(), "a detail: " + answer.brief());
    }
}
