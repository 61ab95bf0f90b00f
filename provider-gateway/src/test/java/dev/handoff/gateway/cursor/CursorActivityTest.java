package dev.handoff.gateway.cursor;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunActivity;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.gateway.TestAssignments;
import dev.handoff.gateway.TestRuns;
import dev.handoff.testsupport.FakeCursorApi;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Cursor run's conversation, polled with its status, becomes its activity: each of the agent's messages once. */
@QuarkusTest
class CursorActivityTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @FakeCursorApi.Inject
    FakeCursorApi cursor;

    @Inject
    dev.handoff.gateway.provider.RunActivity activity;

    private final String workspace = TestRuns.workspace();

    @BeforeEach
    void ready() {
        TestAssignments.awaitConsumersReady();
        cursor.acceptKey(FakeCursorApi.VALID_KEY);
        cursor.breakMe(false);
    }

    @Test
    void eachProviderSaysWhichKindsOfActivityItReports() {
        io.restassured.path.json.JsonPath providers = given().auth().oauth2(Tokens.member(workspace))
                .when().get("/api/agent-config/providers").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("message", "truncated"), providers.getList("find { it.name == 'cursor' }.activity"));
        assertEquals(List.of("error", "log", "step", "truncated"), providers.getList("find { it.name == 'local' }.activity"));
    }

    @Test
    void theAgentsMessagesBecomeMessageEntriesOnceEachAcrossPollsAndRestarts() {
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body("{\"provider\":\"cursor\",\"apiKey\":\"" + FakeCursorApi.VALID_KEY + "\",\"enabled\":true}")
                .when().put("/api/agent-config").then().statusCode(200);
        RunRequested request = TestRuns.request(workspace, "cursor", "Talk about it", "https://github.com/acme/greeter",
                "handoff/talk-" + UUID.randomUUID());
        TestRuns.publish(request);
        await().atMost(WAIT).until(() -> cursor.agentForBranch(request.targetBranch()).isPresent());
        String agentId = cursor.agentForBranch(request.targetBranch()).orElseThrow().id;

        cursor.setStatus(agentId, "RUNNING", null, null);
        cursor.say(agentId, "Reading the greeter's code");
        // an agent that echoes the workspace's key, in colour
        cursor.say(agentId, "\u001B[32mUsing key " + FakeCursorApi.VALID_KEY + "\u001B[0m");
        List<RunActivity.Entry> first = TestRuns.activityUntil(request.runId(), all -> all.size() >= 2, WAIT);
        assertEquals(List.of("Reading the greeter's code", "Using key [redacted]"), first.stream().map(RunActivity.Entry::text).toList());

        // several polls later, nothing is repeated; a new message follows with the next number
        String conversation = "/v0/agents/" + agentId + "/conversation";
        int reads = cursor.received("GET", conversation).size();
        await().atMost(WAIT).until(() -> cursor.received("GET", conversation).size() >= reads + 3);
        cursor.say(agentId, "Added --shout and a test");
        cursor.setStatus(agentId, "FINISHED", "https://github.com/acme/greeter/pull/9", "Added --shout");
        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), WAIT);
        assertEquals(RunStatus.COMPLETED, updates.get(updates.size() - 1).status());

        List<RunActivity.Entry> all = TestRuns.activityUntil(request.runId(), entries -> entries.size() > 3, Duration.ofSeconds(8));
        assertEquals(List.of("Reading the greeter's code", "Using key [redacted]", "Added --shout and a test"),
                all.stream().map(RunActivity.Entry::text).toList(), "each message once, and only the agent's own");
        assertEquals(List.of(1L, 2L, 3L), all.stream().map(RunActivity.Entry::seq).toList());
        assertTrue(all.stream().allMatch(e -> e.kind().equals("message")));

        // a restarted gateway polling the same conversation publishes only what is new, numbered after the last
        List<dev.handoff.gateway.provider.RunActivity.Message> polled = cursor.agent(agentId).orElseThrow().conversation().stream()
                .filter(m -> m.type().equals("assistant_message"))
                .map(m -> new dev.handoff.gateway.provider.RunActivity.Message(m.id(), m.text()))
                .collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
        assertEquals(0, activity.messagesOnce(request, polled).await().atMost(WAIT));
        polled.add(new dev.handoff.gateway.provider.RunActivity.Message("msg_late", "One more thing"));
        assertEquals(1, activity.messagesOnce(request, polled).await().atMost(WAIT));
        List<RunActivity.Entry> later = TestRuns.activityUntil(request.runId(), entries -> entries.size() >= 4, WAIT);
        assertEquals(4, later.size());
        assertEquals(4L, later.get(3).seq());
        assertEquals("One more thing", later.get(3).text());
    }
}
