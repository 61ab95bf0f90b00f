package dev.handoff.gateway.cursor;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.gateway.TestAssignments;
import dev.handoff.gateway.TestRuns;
import dev.handoff.gateway.TestRuns.Stored;
import dev.handoff.testsupport.FakeCursorApi;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Follow-ups on Cursor: the same agent continues, and the first launch's webhook reaches the newest run. */
@QuarkusTest
class CursorFollowUpTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String REPO = "https://github.com/acme/greeter";
    private static final String PR = "https://github.com/acme/greeter/pull/11";

    @FakeCursorApi.Inject
    FakeCursorApi cursor;

    private final String workspace = TestRuns.workspace();

    @BeforeEach
    void consumersReady() {
        TestAssignments.awaitConsumersReady();
        cursor.acceptKey(FakeCursorApi.VALID_KEY);
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body("{\"provider\":\"cursor\",\"apiKey\":\"" + FakeCursorApi.VALID_KEY + "\",\"enabled\":true}")
                .when().put("/api/agent-config").then().statusCode(200);
    }

    @AfterEach
    void restore() {
        cursor.throttleAgentReads(0);
    }

    @Test
    void aFollowUpIsSentToTheSameAgentAndTheFirstLaunchsWebhookCompletesIt() throws Exception {
        String branch = "handoff/follow-" + UUID.randomUUID();
        RunRequested first = TestRuns.request(workspace, "cursor", "Add a shout option", REPO, branch);
        TestRuns.publish(first);
        await().atMost(WAIT).until(() -> cursor.agentForBranch(branch).isPresent());
        String agentId = cursor.agentForBranch(branch).orElseThrow().id;
        cursor.setStatus(agentId, "FINISHED", PR, "Added --shout");
        // this gateway's ledger, not the shared topic: other gateways on the broker fail runs they cannot do
        Stored firstDone = TestRuns.storedFinal(first.runId(), WAIT);
        assertEquals(RunStatus.COMPLETED, firstDone.status(), firstDone::toString);
        // Cursor's webhook of that first finish, delivered now and (a late copy) again during the follow-up
        FakeCursorApi.Delivery firstFinish = cursor.webhookOf(agentId);
        assertEquals(200, post(firstFinish));

        RunRequested second = TestRuns.followUp(first, firstDone, "Also add a test for --shout.");
        TestRuns.publish(second);
        await().atMost(WAIT).until(() -> cursor.agent(agentId).orElseThrow().followups().size() == 1);
        String prompt = cursor.agent(agentId).orElseThrow().followups().get(0);
        assertTrue(prompt.startsWith("# Task: Add a shout option\n\nThis is a follow-up"), prompt);
        assertTrue(prompt.contains("Also add a test for --shout.") && prompt.contains("Added --shout"), prompt);
        assertEquals(1, cursor.launchesByBranch().get(branch), "no second agent was launched");
        assertEquals(1, cursor.received("POST", "/v0/agents/" + agentId + "/followup").size());

        Stored running = TestRuns.storedUntil(second.runId(), u -> u.status() == RunStatus.RUNNING, WAIT);
        assertEquals(agentId, running.providerRunId());

        // the late copy of the first finish is recognised and does not end the follow-up
        assertEquals(200, post(firstFinish));
        // polling is held off, so that only the webhook can tell the follow-up's end
        cursor.throttleAgentReads(1_000_000);
        cursor.setStatus(agentId, "FINISHED", PR, "Added a test for --shout too");
        FakeCursorApi.Delivery secondFinish = cursor.webhookOf(agentId);
        assertTrue(secondFinish.url().endsWith("/webhooks/cursor/" + first.runId()), secondFinish.url());
        assertEquals(200, post(secondFinish));

        Stored done = TestRuns.storedFinal(second.runId(), WAIT);
        assertEquals(RunStatus.COMPLETED, done.status(), done::toString);
        assertEquals("Added a test for --shout too", done.summary());
        assertEquals(PR, done.pullRequestUrl());
        assertEquals(agentId, done.providerRunId());
        // the first run stayed as it ended
        assertEquals(firstDone, TestRuns.stored(first.runId()));
    }

    /** Posts a webhook delivery to the gateway under test (its public URL is a placeholder host). */
    private static int post(FakeCursorApi.Delivery delivery) {
        var request = given().contentType(ContentType.JSON).body(delivery.body());
        for (var header : delivery.headers().entrySet()) {
            if (!header.getKey().equalsIgnoreCase("Content-Type") && !header.getKey().equalsIgnoreCase("User-Agent")) {
                request = request.header(header.getKey(), header.getValue());
            }
        }
        return request.when().post(URI.create(delivery.url()).getPath()).then().extract().statusCode();
    }
}
