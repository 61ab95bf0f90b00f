package dev.handoff.gateway.cursor;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.EventJson;
import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunActivity;
import dev.handoff.events.RunCancelRequested;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Topics;
import dev.handoff.gateway.TestAssignments;
import dev.handoff.gateway.TestRuns;
import dev.handoff.gateway.TestRuns.Stored;
import dev.handoff.gateway.secrets.DatabaseSecretStoreTest;
import dev.handoff.testsupport.FakeCursorApi;
import dev.handoff.testsupport.FakeCursorApiV1;
import dev.handoff.testsupport.KafkaProbe;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Cursor provider with {@code HANDOFF_CURSOR_API=v1} against {@link FakeCursorApiV1}, through Kafka and HTTP. */
@QuarkusTest
@TestProfile(CursorV1Test.V1.class)
class CursorV1Test {

    /** API v1, with a short stream window so that turns (and their resumptions) come quickly. */
    public static class V1 implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("handoff.cursor.api", "v1", "handoff.cursor.stream-window", "4s");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String REPO = "https://github.com/acme/greeter";
    private static final String PR = "https://github.com/acme/greeter/pull/21";

    @FakeCursorApi.Inject
    FakeCursorApi fake;

    private FakeCursorApiV1 cursor;
    private final String workspace = TestRuns.workspace();

    @BeforeEach
    void ready() {
        TestAssignments.awaitConsumersReady();
        fake.acceptKey(FakeCursorApi.VALID_KEY);
        cursor = fake.v1();
        int mes = cursor.received("GET", "/v1/me").size();
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body("{\"provider\":\"cursor\",\"apiKey\":\"" + FakeCursorApi.VALID_KEY + "\",\"enabled\":true,\"model\":\"composer-2\"}")
                .when().put("/api/agent-config").then().statusCode(200);
        assertEquals(mes + 1, cursor.received("GET", "/v1/me").size(), "the key is checked with GET /v1/me");
    }

    @Test
    void aRunCreatesItsAgentAndCompletesFromTheRunsStreamWithActivityAndUsage() throws Exception {
        assertEquals(List.of("message", "tool", "truncated"), given().auth().oauth2(Tokens.member(workspace))
                .when().get("/api/agent-config/providers").then().statusCode(200).extract().jsonPath()
                .getList("find { it.name == 'cursor' }.activity"));
        // everything the gateway logs meanwhile, with its parameters
        List<String> logged = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                logged.add(record.getMessage() + " " + java.util.Arrays.toString(record.getParameters()) + " " + record.getThrown());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger.getLogger("").addHandler(capture);
        RunRequested request = request("Add a shout option");
        TestRuns.publish(request);
        FakeCursorApiV1.Agent agent = awaitAgent(request);

        FakeCursorApiV1.Received create = cursor.received("POST", "/v1/agents").stream()
                .filter(r -> agent.id.equals(r.json().path("agentId").asText())).findFirst().orElseThrow();
        assertEquals(FakeCursorApiV1.basic(FakeCursorApi.VALID_KEY), create.authorization());
        assertTrue(create.json().path("prompt").path("text").asText().startsWith("# Task: Add a shout option\n"));
        assertEquals(REPO, create.json().path("repos").path(0).path("url").asText());
        assertEquals("main", create.json().path("repos").path(0).path("startingRef").asText());
        assertTrue(create.json().path("autoCreatePR").asBoolean());
        assertFalse(create.json().path("workOnCurrentBranch").asBoolean(true));
        assertEquals("composer-2", create.json().path("model").path("id").asText());

        FakeCursorApiV1.Run run = agent.latest();
        run.say("Reading the greeter's code");
        run.tool("read_file", "{\"path\":\"README.md\"}");
        // an agent that echoes the workspace's key
        run.say("Using key " + FakeCursorApi.VALID_KEY);
        run.usage(1200, 340);
        run.finish(PR, "cursor/add-shout-1a2b", "Added --shout");

        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), WAIT);
        assertCompleted(updates, "Added --shout", 1200, 340);
        Stored stored = TestRuns.storedFinal(request.runId(), WAIT);
        assertEquals(agent.id, stored.providerRunId());
        assertEquals("cursor/add-shout-1a2b", stored.branch());

        List<RunActivity.Entry> activity = TestRuns.activityUntil(request.runId(), all -> all.size() >= 3, WAIT);
        assertEquals(List.of("message:Reading the greeter's code", "tool:read_file {\"path\":\"README.md\"}",
                "message:Using key [redacted]"), activity.stream().map(e -> e.kind() + ":" + e.text()).toList());

        for (ProviderRunUpdated update : updates) {
            assertFalse(EventJson.toJson(update).contains(FakeCursorApi.VALID_KEY));
        }
        java.util.logging.Logger.getLogger("").removeHandler(capture);
        assertTrue(logged.stream().anyMatch(line -> line.contains(agent.id)), "the capture saw the gateway's logs");
        assertTrue(logged.stream().noneMatch(line -> line.contains(FakeCursorApi.VALID_KEY)
                || line.contains(FakeCursorApiV1.basic(FakeCursorApi.VALID_KEY))), "the key is never logged");
        DatabaseSecretStoreTest.assertNoPlaintextAnywhere(FakeCursorApi.VALID_KEY);
    }

    @Test
    void anAgentThisRunCreatedBeforeIsAdoptedAndARedeliveredRequestCreatesNoOther() {
        RunRequested request = request("Adopt me");
        // as if a gateway had created the agent and crashed before it recorded it
        FakeCursorApiV1.Agent earlier = cursor.addAgent(CursorAgentsV1.agentId(request.runId()), REPO, "main", "# Task: Adopt me");
        TestRuns.publish(request);
        TestRuns.publish(request);

        Stored running = TestRuns.storedUntil(request.runId(), s -> s.providerRunId() != null, WAIT);
        assertEquals(earlier.id, running.providerRunId());
        earlier.latest().finish(PR, "cursor/adopt-1", "Adopted and done");
        Stored done = TestRuns.storedFinal(request.runId(), WAIT);
        assertEquals(RunStatus.COMPLETED, done.status(), done::toString);
        assertEquals(PR, done.pullRequestUrl());

        List<FakeCursorApiV1.Received> creates = cursor.received("POST", "/v1/agents").stream()
                .filter(r -> r.path().equals("/v1/agents") && earlier.id.equals(r.json().path("agentId").asText())).toList();
        assertEquals(1, creates.size(), "one create call (answered 409 agent_id_conflict), none for the redelivery");
        assertEquals(1, earlier.runs().size());
        assertEquals(0, cursor.agents().stream().filter(a -> a != earlier && a.runs().get(0).prompt.contains("# Task: Adopt me")).count());
    }

    @Test
    void aFollowUpIsANewRunOfTheSameAgentAndWaitsWhileTheAgentIsBusy() {
        RunRequested first = request("Add a shout option");
        TestRuns.publish(first);
        FakeCursorApiV1.Agent agent = awaitAgent(first);
        agent.latest().finish(PR, "cursor/shout-2", "Added --shout");
        Stored firstDone = TestRuns.storedFinal(first.runId(), WAIT);
        assertEquals(RunStatus.COMPLETED, firstDone.status(), firstDone::toString);

        // someone works with the agent in Cursor's own app: it is busy
        FakeCursorApiV1.Run elsewhere = cursor.occupy(agent.id);
        RunRequested second = TestRuns.followUp(first, firstDone, "Also add a test for --shout.");
        TestRuns.publish(second);
        String runs = "/v1/agents/" + agent.id + "/runs";
        await().atMost(WAIT).until(() -> cursor.received("POST", runs).stream().filter(r -> r.path().equals(runs)).count() >= 2);
        assertEquals(2, agent.runs().size(), "no run was created while the agent was busy");
        assertFalse(TestRuns.storedUntil(second.runId(), s -> true, WAIT).status().isFinal(), "the follow-up waits");

        elsewhere.finish(null, null, "Done in the app");
        await().atMost(WAIT).until(() -> agent.runs().size() == 3);
        FakeCursorApiV1.Run followUp = agent.latest();
        assertTrue(followUp.prompt.contains("Also add a test for --shout.") && followUp.prompt.contains("Added --shout"),
                followUp.prompt);
        followUp.say("Adding the test");
        followUp.finish(PR, "cursor/shout-2", "Added a test for --shout too");

        Stored done = TestRuns.storedFinal(second.runId(), WAIT);
        assertEquals(RunStatus.COMPLETED, done.status(), done::toString);
        assertEquals("Added a test for --shout too", done.summary());
        assertEquals(agent.id, done.providerRunId());
        assertTrue(cursor.agent(CursorAgentsV1.agentId(second.runId())).isEmpty(), "no agent of its own");
        List<RunActivity.Entry> activity = TestRuns.activityUntil(second.runId(), all -> !all.isEmpty(), WAIT);
        assertEquals("Adding the test", activity.get(0).text(), "only the follow-up's own run is streamed");
    }

    @Test
    void aCancelledRunCancelsItsCursorRun() {
        RunRequested request = request("Cancel me");
        TestRuns.publish(request);
        FakeCursorApiV1.Agent agent = awaitAgent(request);
        FakeCursorApiV1.Run run = agent.latest().running();
        TestRuns.storedUntil(request.runId(), s -> s.status() == RunStatus.RUNNING, WAIT);

        KafkaProbe.publish(Topics.RUN_CANCEL_REQUESTED, new RunCancelRequested(UUID.randomUUID(), Instant.now(), workspace,
                request.runId(), "cursor", agent.id));
        Stored done = TestRuns.storedFinal(request.runId(), WAIT);
        assertEquals(RunStatus.CANCELLED, done.status(), done::toString);
        await().atMost(WAIT).until(() -> run.status().equals("CANCELLED"));
        assertEquals(1, cursor.received("POST", "/v1/agents/" + agent.id + "/runs/" + run.id + "/cancel").size());
    }

    @Test
    void aCutStreamIsResumedWithLastEventIdAndNoEntryIsLostOrRepeated() throws Exception {
        RunRequested request = request("Survive a cut");
        TestRuns.publish(request);
        FakeCursorApiV1.Run run = awaitAgent(request).latest();
        run.say("First message here");
        run.tool("read_file", "{\"path\":\"a.txt\"}");
        TestRuns.activityUntil(request.runId(), all -> all.size() >= 2, WAIT);
        await().atMost(WAIT).until(() -> run.openStreams() > 0);
        // half a message reaches the gateway, then the connection is cut
        run.say("Half a ");
        Thread.sleep(1000);
        run.cutStreams();
        run.say("message, whole");
        run.tool("edit_file", "{\"path\":\"a.txt\"}");
        run.finish(PR, "cursor/cut-1", "Survived");

        Stored done = TestRuns.storedFinal(request.runId(), WAIT);
        assertEquals(RunStatus.COMPLETED, done.status(), done::toString);
        List<RunActivity.Entry> activity = TestRuns.activityUntil(request.runId(), all -> all.size() > 4, Duration.ofSeconds(8));
        assertEquals(List.of("First message here", "read_file {\"path\":\"a.txt\"}", "Half a message, whole",
                "edit_file {\"path\":\"a.txt\"}"), activity.stream().map(RunActivity.Entry::text).toList());
        assertEquals(List.of(1L, 2L, 3L, 4L), activity.stream().map(RunActivity.Entry::seq).toList());
        List<String> ids = run.events().stream().map(FakeCursorApiV1.StreamEvent::id).toList();
        List<FakeCursorApiV1.Received> resumed = cursor.received("GET", "/v1/agents/" + run.agent.id + "/runs/" + run.id + "/stream")
                .stream().filter(r -> r.lastEventId() != null).toList();
        assertFalse(resumed.isEmpty(), "the stream was resumed with Last-Event-ID");
        assertTrue(resumed.stream().allMatch(r -> ids.contains(r.lastEventId())));
    }

    @Test
    void anExpiredStreamFallsBackToPollingTheRun() {
        RunRequested request = request("Outlive the stream");
        TestRuns.publish(request);
        FakeCursorApiV1.Run run = awaitAgent(request).latest();
        run.say("Working on it");
        run.tool("read_file", "{\"path\":\"b.txt\"}");
        TestRuns.activityUntil(request.runId(), all -> !all.isEmpty(), WAIT);
        run.expireStream();
        String runPath = "/v1/agents/" + run.agent.id + "/runs/" + run.id;
        await().atMost(WAIT).until(() -> cursor.received("GET", runPath).stream().anyMatch(r -> r.path().equals(runPath)));
        run.usage(10, 20);
        run.finish(PR, "cursor/polled-1", "Done while polled");

        assertCompleted(TestRuns.updatesUntilFinal(request.runId(), WAIT), "Done while polled", 10, 20);
    }

    /** The last update completes the run with Cursor's pull request, reply, tokens and duration. */
    private static void assertCompleted(List<ProviderRunUpdated> updates, String summary, long input, long output) {
        ProviderRunUpdated done = updates.get(updates.size() - 1);
        assertEquals(RunStatus.COMPLETED, done.status(), done::toString);
        assertEquals(PR, done.pullRequestUrl());
        assertEquals(summary, done.summary());
        assertNotNull(done.usage(), done::toString);
        assertEquals(input, done.usage().inputTokens());
        assertEquals(output, done.usage().outputTokens());
        assertNotNull(done.usage().durationMs());
    }

    private RunRequested request(String title) {
        return TestRuns.request(workspace, "cursor", title, REPO, "handoff/v1-" + UUID.randomUUID());
    }

    private FakeCursorApiV1.Agent awaitAgent(RunRequested request) {
        String agentId = CursorAgentsV1.agentId(request.runId());
        await().atMost(WAIT).until(() -> cursor.agent(agentId).isPresent());
        return cursor.agent(agentId).orElseThrow();
    }
}
