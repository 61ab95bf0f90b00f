package dev.handoff.gateway.cursor;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.hasKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.EventJson;
import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunCancelRequested;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Topics;
import dev.handoff.gateway.TestAssignments;
import dev.handoff.gateway.TestRuns;
import dev.handoff.gateway.secrets.DatabaseSecretStoreTest;
import dev.handoff.testsupport.FakeCursorApi;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.KafkaProbe;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Cursor provider against {@link FakeCursorApi}, driven through Kafka and HTTP like production. */
@QuarkusTest
class CursorProviderTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String REPO = "https://github.com/acme/greeter";

    @FakeCursorApi.Inject
    FakeCursorApi cursor;

    @jakarta.inject.Inject
    CursorWebhooks webhooks;

    private final String workspace = TestRuns.workspace();

    @BeforeEach
    void consumersReady() {
        TestAssignments.awaitConsumersReady();
        cursor.acceptKey(FakeCursorApi.VALID_KEY);
        cursor.breakMe(false);
    }

    @AfterEach
    void restore() {
        cursor.acceptKey(FakeCursorApi.VALID_KEY);
        cursor.throttleAgentReads(0);
    }

    @Test
    void aCursorKeyIsCheckedWithCursorThenStoredEncryptedAndShownOnlyAsAHint() throws Exception {
        int mesBefore = cursor.received("GET", "/v0/me").size();
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body("{\"provider\":\"cursor\",\"apiKey\":\"" + FakeCursorApi.VALID_KEY + "\",\"enabled\":true,\"model\":\"claude-4-sonnet\"}")
                .when().put("/api/agent-config")
                .then().statusCode(200)
                .body("provider", equalTo("cursor"))
                .body("keyHint", equalTo("...cdef"))
                .body("model", equalTo("claude-4-sonnet"))
                .body("verifiedAt", notNullValue())
                .body("$", not(hasKey("apiKey")));
        List<FakeCursorApi.Received> mes = cursor.received("GET", "/v0/me");
        assertEquals(mesBefore + 1, mes.size());
        assertEquals(FakeCursorApi.basic(FakeCursorApi.VALID_KEY), mes.get(mes.size() - 1).authorization());

        String body = given().auth().oauth2(Tokens.member(workspace)).when().get("/api/agent-config")
                .then().statusCode(200).body("keyHint", equalTo("...cdef")).extract().asString();
        assertTrue(!body.contains(FakeCursorApi.VALID_KEY));
        DatabaseSecretStoreTest.assertNoPlaintextAnywhere(FakeCursorApi.VALID_KEY);
    }

    @Test
    void aKeyCursorRefusesIs422AndAnUnreachableCursorIs503AndNothingIsStored() {
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body("{\"provider\":\"cursor\",\"apiKey\":\"key_wrong_0000\",\"enabled\":true}")
                .when().put("/api/agent-config")
                .then().statusCode(422).body("code", equalTo("provider-rejected-key"));
        cursor.breakMe(true);
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body("{\"provider\":\"cursor\",\"apiKey\":\"" + FakeCursorApi.VALID_KEY + "\",\"enabled\":true}")
                .when().put("/api/agent-config")
                .then().statusCode(503).body("code", equalTo("provider-unavailable"));
        given().auth().oauth2(Tokens.admin(workspace)).when().get("/api/agent-config").then().statusCode(404);
    }

    @Test
    void aRunIsLaunchedAsPublishedPolledToRunningAndCompletedWithCursorsPullRequest() {
        configureCursor();
        RunRequested request = TestRuns.request(workspace, "cursor", "Add a shout option", REPO, "handoff/shout-" + UUID.randomUUID());
        TestRuns.publish(request);

        FakeCursorApi.Agent agent = awaitAgent(request.targetBranch());
        FakeCursorApi.Received launch = cursor.received("POST", "/v0/agents").stream()
                .filter(r -> request.targetBranch().equals(r.json().path("target").path("branchName").asText(null)))
                .findFirst().orElseThrow();
        assertEquals(FakeCursorApi.basic(FakeCursorApi.VALID_KEY), launch.authorization());
        JsonObject body = new JsonObject(launch.body());
        assertTrue(body.getJsonObject("prompt").getString("text").startsWith("# Task: Add a shout option\n"));
        assertEquals(REPO, body.getJsonObject("source").getString("repository"));
        assertEquals("main", body.getJsonObject("source").getString("ref"));
        assertEquals(true, body.getJsonObject("target").getBoolean("autoCreatePr"));
        assertEquals("claude-4-sonnet", body.getString("model"));
        JsonObject webhook = body.getJsonObject("webhook");
        assertEquals("http://gateway.test/webhooks/cursor/" + request.runId(), webhook.getString("url"));
        assertTrue(webhook.getString("secret").length() >= 32);
        DatabaseSecretStoreTest.assertNoPlaintextAnywhereQuietly(webhook.getString("secret"));

        String agentId = agent.id;
        cursor.setStatus(agentId, "RUNNING", null, null);
        ProviderRunUpdated running = TestRuns.updatesUntil(request.runId(), u -> u.status() == RunStatus.RUNNING, WAIT)
                .stream().filter(u -> u.status() == RunStatus.RUNNING).findFirst().orElseThrow();
        assertEquals(agentId, running.providerRunId());
        assertEquals("https://cursor.com/agents?id=" + agentId, running.providerUrl());
        assertEquals("RUNNING", running.providerStatus());

        cursor.setStatus(agentId, "FINISHED", "https://github.com/acme/greeter/pull/7", "Added --shout with a test");
        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), WAIT);
        ProviderRunUpdated completed = updates.get(updates.size() - 1);
        assertEquals(RunStatus.COMPLETED, completed.status());
        assertEquals("https://github.com/acme/greeter/pull/7", completed.pullRequestUrl());
        assertEquals(request.targetBranch(), completed.branch());
        assertEquals("Added --shout with a test", completed.summary());
        String polled = cursor.received("GET", "/v0/agents/" + agentId).get(0).authorization();
        assertEquals(FakeCursorApi.basic(FakeCursorApi.VALID_KEY), polled);
    }

    @Test
    void aWebhookSignedWithTheRunsSecretEndsTheRunOnceAndABadSignatureChangesNothing() throws Exception {
        configureCursor();
        RunRequested request = TestRuns.request(workspace, "cursor", "Webhook task", REPO, "handoff/hook-" + UUID.randomUUID());
        TestRuns.publish(request);
        String agentId = awaitAgent(request.targetBranch()).id;
        await().atMost(WAIT).until(() -> agentIdStored(request.runId()) != null);
        String secret = cursor.agent(agentId).orElseThrow().webhookSecret;
        byte[] payload = new JsonObject().put("event", "statusChange").put("timestamp", Instant.now().toString())
                .put("id", agentId).put("status", "FINISHED")
                .put("source", new JsonObject().put("repository", REPO).put("ref", "main"))
                .put("target", new JsonObject().put("url", "https://cursor.com/agents?id=" + agentId)
                        .put("branchName", request.targetBranch()).put("prUrl", "https://github.com/acme/greeter/pull/9"))
                .put("summary", "Done by webhook").encode().getBytes(StandardCharsets.UTF_8);
        String path = "/webhooks/cursor/" + request.runId();

        given().contentType(ContentType.JSON).header("X-Webhook-Signature", WebhookSignature.sign("wrong-secret-wrong-secret-wrong-secret", payload))
                .body(payload).when().post(path).then().statusCode(401).body("code", equalTo("unauthorized"));
        given().contentType(ContentType.JSON).body(payload).when().post(path).then().statusCode(401);
        given().contentType(ContentType.JSON).header("X-Webhook-Signature", WebhookSignature.sign(secret, payload))
                .body(new String(payload, StandardCharsets.UTF_8).replace("pull/9", "pull/6")).when().post(path).then().statusCode(401);
        assertEquals("PENDING", statusStored(request.runId()), "a bad signature changed nothing");

        for (int delivery = 0; delivery < 2; delivery++) {
            given().contentType(ContentType.JSON).header("X-Webhook-Signature", WebhookSignature.sign(secret, payload))
                    .header("X-Webhook-ID", "delivery-1").header("X-Webhook-Event", "statusChange")
                    .body(payload).when().post(path).then().statusCode(200);
        }
        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), WAIT);
        ProviderRunUpdated completed = updates.get(updates.size() - 1);
        assertEquals(RunStatus.COMPLETED, completed.status());
        assertEquals("https://github.com/acme/greeter/pull/9", completed.pullRequestUrl());
        assertEquals("Done by webhook", completed.summary());
        List<ProviderRunUpdated> all = TestRuns.updatesUntil(request.runId(), u -> false, Duration.ofSeconds(3));
        assertEquals(1, all.stream().filter(u -> u.status() == RunStatus.COMPLETED).count(), () -> "updates: " + all);

        given().contentType(ContentType.JSON).header("X-Webhook-Signature", WebhookSignature.sign(secret, payload))
                .body(payload).when().post("/webhooks/cursor/" + UUID.randomUUID()).then().statusCode(401);
        given().contentType(ContentType.JSON).body(payload).when().post("/webhooks/cursor/not-a-run").then().statusCode(401);

        // once the run is long finished, its webhook secret is destroyed
        String secretName = dev.handoff.gateway.secrets.SecretNames.webhookSecret(workspace, request.runId());
        assertEquals(1, secretRows(secretName));
        webhooks.destroySecretsOlderThan(Duration.ZERO).await().atMost(WAIT);
        assertEquals(0, secretRows(secretName));
        given().contentType(ContentType.JSON).header("X-Webhook-Signature", WebhookSignature.sign(secret, payload))
                .body(payload).when().post(path).then().statusCode(401);
    }

    private static int secretRows(String name) throws Exception {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement("select count(*) from secret where name = ?")) {
            query.setString(1, name);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    @Test
    void throttledPollsBackOffExponentiallyThenCarryOn() {
        configureCursor();
        RunRequested request = TestRuns.request(workspace, "cursor", "Throttled task", REPO, "handoff/throttle-" + UUID.randomUUID());
        TestRuns.publish(request);
        String agentId = awaitAgent(request.targetBranch()).id;
        Instant throttledFrom = Instant.now();
        cursor.throttleAgentReads(3);
        cursor.setStatus(agentId, "RUNNING", null, null);

        TestRuns.updatesUntil(request.runId(), u -> u.status() == RunStatus.RUNNING, WAIT);
        List<Instant> reads = cursor.received("GET", "/v0/agents/" + agentId).stream().map(FakeCursorApi.Received::at)
                .filter(at -> !at.isBefore(throttledFrom)).toList();
        assertTrue(reads.size() >= 4, "three throttled reads, then one answered: " + reads);
        Duration first = Duration.between(reads.get(0), reads.get(1));
        Duration second = Duration.between(reads.get(1), reads.get(2));
        Duration third = Duration.between(reads.get(2), reads.get(3));
        assertTrue(first.toMillis() >= 900, "waits at least the poll interval after a 429: " + first);
        assertTrue(second.toMillis() >= 1800, "then about twice that: " + second);
        assertTrue(third.toMillis() >= 3600, "then about twice that again: " + third);
        cancel(request, agentId);
    }

    @Test
    void cancellingStopsTheAgentAndEndsTheRunCancelled() {
        configureCursor();
        RunRequested request = TestRuns.request(workspace, "cursor", "Cancel me", REPO, "handoff/cancel-" + UUID.randomUUID());
        TestRuns.publish(request);
        String agentId = awaitAgent(request.targetBranch()).id;
        cursor.setStatus(agentId, "RUNNING", null, null);
        TestRuns.updatesUntil(request.runId(), u -> u.status() == RunStatus.RUNNING, WAIT);

        cancel(request, agentId);

        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), WAIT);
        assertEquals(RunStatus.CANCELLED, updates.get(updates.size() - 1).status());
        await().atMost(WAIT).until(() -> cursor.agent(agentId).orElseThrow().stopped());
        FakeCursorApi.Received stop = cursor.received("POST", "/v0/agents/" + agentId + "/stop").get(0);
        assertEquals(FakeCursorApi.basic(FakeCursorApi.VALID_KEY), stop.authorization());
    }

    @Test
    void anAgentEndingInErrorOrAKeyRevokedMidRunFailsTheRunWithAClearCode() {
        configureCursor();
        RunRequested erroring = TestRuns.request(workspace, "cursor", "Will error", REPO, "handoff/error-" + UUID.randomUUID());
        TestRuns.publish(erroring);
        String agentId = awaitAgent(erroring.targetBranch()).id;
        cursor.setStatus(agentId, "ERROR", null, "Could not access the repository");
        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(erroring.runId(), WAIT);
        ProviderRunUpdated failed = updates.get(updates.size() - 1);
        assertEquals(RunStatus.FAILED, failed.status());
        assertEquals("provider-error", failed.error().code());
        assertTrue(failed.error().message().contains("Could not access the repository"));

        RunRequested revoked = TestRuns.request(workspace, "cursor", "Key revoked", REPO, "handoff/revoked-" + UUID.randomUUID());
        TestRuns.publish(revoked);
        String revokedAgent = awaitAgent(revoked.targetBranch()).id;
        await().atMost(WAIT).until(() -> agentIdStored(revoked.runId()) != null);
        cursor.revokeKey(FakeCursorApi.VALID_KEY);
        List<ProviderRunUpdated> revokedUpdates = TestRuns.updatesUntilFinal(revoked.runId(), WAIT);
        ProviderRunUpdated last = revokedUpdates.get(revokedUpdates.size() - 1);
        assertEquals(RunStatus.FAILED, last.status());
        assertEquals("provider-rejected-key", last.error().code());
        assertTrue(last.error().message().contains("HTTP 401"));
        assertTrue(!last.error().message().contains(FakeCursorApi.VALID_KEY));
        assertNotNull(revokedAgent);
    }

    @Test
    void aLaunchInterruptedByACrashAdoptsTheAgentThisRunLaunchedAndNoOtherOnTheBranch() throws Exception {
        configureCursor();
        RunRequested request = TestRuns.request(workspace, "cursor", "Crashed launch", REPO, "handoff/crash-" + UUID.randomUUID());
        String existing = cursor.addAgent(REPO, "main", request.targetBranch(), "RUNNING",
                "# Task: Crashed launch\n..." + CursorAgents.marker(request.runId()));
        // newer, so listed first: another run's agent on the same branch is looked at and left alone
        String foreign = cursor.addAgent(REPO, "main", request.targetBranch(), "RUNNING",
                "# Task: Another task\n..." + CursorAgents.marker(UUID.randomUUID()));
        insertAttemptedLaunch(request);
        TestRuns.publish(request); // the redelivery of the request changes nothing either

        ProviderRunUpdated running = TestRuns.updatesUntil(request.runId(), u -> u.status() == RunStatus.RUNNING, WAIT)
                .stream().filter(u -> u.status() == RunStatus.RUNNING).findFirst().orElseThrow();
        assertEquals(existing, running.providerRunId());
        assertEquals(0, launchesFor(request.targetBranch()), "no second agent was launched");
        assertTrue(cursor.agent(foreign).orElseThrow().conversation().size() == 1, "the other run's agent was not touched");
        cancel(request, existing);
    }

    @Test
    void aRetriedLaunchNeverAdoptsAnAgentOfAnotherRunOnTheSameExplicitBranch() throws Exception {
        configureCursor();
        RunRequested request = TestRuns.request(workspace, "cursor", "Retried launch", REPO, "shared-branch-" + UUID.randomUUID());
        // launched by another task given the same explicit target branch, and by hand without any marker
        String otherRun = cursor.addAgent(REPO, "main", request.targetBranch(), "RUNNING",
                "# Task: Other task\n..." + CursorAgents.marker(UUID.randomUUID()));
        String byHand = cursor.addAgent(REPO, "main", request.targetBranch(), "RUNNING", "fix the tests please");
        insertAttemptedLaunch(request);
        TestRuns.publish(request);

        await().atMost(WAIT).until(() -> agentIdStored(request.runId()) != null);
        String adopted = agentIdStored(request.runId());
        assertTrue(!adopted.equals(otherRun) && !adopted.equals(byHand), "the run got an agent of its own: " + adopted);
        assertEquals(1, launchesFor(request.targetBranch()), "the launch was made again");
        FakeCursorApi.Agent launched = cursor.agent(adopted).orElseThrow();
        assertTrue(launched.prompt.contains(CursorAgents.marker(request.runId()).strip()), "the new launch carries the run's marker");
        cancel(request, adopted);
    }

    /** The state a crash (or a failed launch call) leaves: the launch was attempted, no agent id was recorded. */
    private void insertAttemptedLaunch(RunRequested request) throws Exception {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement insert = db.prepareStatement("""
                        insert into provider_run (run_id, workspace_id, provider, status, repository_url, branch, target_branch,
                            request, launch_attempted_at, next_poll_at, created_at, updated_at)
                        values (?, ?, 'cursor', 'PENDING', ?, 'main', ?, ?, now(), now(), now(), now())""")) {
            insert.setObject(1, request.runId());
            insert.setString(2, workspace);
            insert.setString(3, REPO);
            insert.setString(4, request.targetBranch());
            insert.setString(5, EventJson.toJson(request));
            insert.executeUpdate();
        }
    }

    private long launchesFor(String branch) {
        return cursor.received("POST", "/v0/agents").stream()
                .filter(r -> branch.equals(r.json().path("target").path("branchName").asText(null)))
                .count();
    }

    private void configureCursor() {
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body("{\"provider\":\"cursor\",\"apiKey\":\"" + FakeCursorApi.VALID_KEY + "\",\"enabled\":true,\"model\":\"claude-4-sonnet\"}")
                .when().put("/api/agent-config").then().statusCode(200);
    }

    private FakeCursorApi.Agent awaitAgent(String branch) {
        await().atMost(WAIT).until(() -> cursor.agentForBranch(branch).isPresent());
        return cursor.agentForBranch(branch).orElseThrow();
    }

    private void cancel(RunRequested request, String agentId) {
        KafkaProbe.publish(Topics.RUN_CANCEL_REQUESTED, new RunCancelRequested(UUID.randomUUID(), Instant.now(), workspace,
                request.runId(), "cursor", agentId));
    }

    private static String agentIdStored(UUID runId) throws Exception {
        return column(runId, "provider_run_id");
    }

    private static String statusStored(UUID runId) throws Exception {
        return column(runId, "status");
    }

    private static String column(UUID runId, String column) throws Exception {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement("select " + column + " from provider_run where run_id = ?")) {
            query.setObject(1, runId);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }
}
