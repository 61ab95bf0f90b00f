package dev.handoff.gateway.local;

import static dev.handoff.gateway.TestRuns.git;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.FollowUp;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.gateway.TestAssignments;
import dev.handoff.gateway.TestRuns;
import dev.handoff.gateway.TestRuns.Stored;
import dev.handoff.gateway.messaging.ProviderDispatch;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Follow-ups on the local provider: the same branch, fast-forwarded, and the same local pull request, grown. */
@QuarkusTest
class LocalFollowUpTest {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    private final String workspace = TestRuns.workspace();

    @BeforeEach
    void consumersReady() {
        TestAssignments.awaitConsumersReady();
    }

    @Test
    void aFollowUpPushesOnTopOfTheBranchAndTheSamePullRequestHoldsBothCommits() throws Exception {
        String origin = TestRuns.newOrigin();
        Path bare = TestRuns.originPath(origin);
        RunRequested first = TestRuns.request(workspace, "local", "Add a shout option", origin, null);
        TestRuns.publish(first);
        Stored firstDone = TestRuns.storedFinal(first.runId(), RUN_TIMEOUT);
        assertEquals(RunStatus.COMPLETED, firstDone.status(), firstDone::toString);
        String branch = firstDone.branch();
        String firstSha = git(bare, "rev-parse", branch).strip();

        RunRequested second = TestRuns.followUp(first, firstDone, "Also add a test for the shout option.");
        TestRuns.publish(second);
        Stored secondDone = TestRuns.storedFinal(second.runId(), RUN_TIMEOUT);
        assertEquals(RunStatus.COMPLETED, secondDone.status(), secondDone::toString);
        assertEquals("local-" + second.runId().toString().substring(0, 8), secondDone.providerRunId());
        assertEquals(firstDone.pullRequestUrl(), secondDone.pullRequestUrl(), "the same pull request");
        assertEquals(branch, secondDone.branch());
        assertEquals("PULL_REQUEST_UPDATED", secondDone.providerStatus());
        assertTrue(secondDone.summary().contains("1 commit"), secondDone.summary());

        // the branch moved forward by one commit, on top of the first run's (fast-forward: the first is its parent)
        assertEquals("2", git(bare, "rev-list", "--count", "main.." + branch).strip());
        assertEquals(firstSha, git(bare, "rev-parse", branch + "~1").strip());
        String messages = git(bare, "log", "--format=%B", "main.." + branch);
        assertTrue(messages.contains("run " + first.runId()) && messages.contains("run " + second.runId()), messages);
        String readme = git(bare, "show", branch + ":README.md");
        assertTrue(readme.contains("Changed by the test agent for run " + first.runId())
                && readme.contains("Changed by the test agent for run " + second.runId()), readme);

        // the second agent was told plainly that it follows up, with the earlier summary and the new instructions
        String prompt = git(bare, "show", branch + ":PROMPT_FROM_STDIN.md");
        assertTrue(prompt.startsWith("# Task: Add a shout option\n\nThis is a follow-up"), prompt);
        assertTrue(prompt.contains("## Follow-up instructions\n\nAlso add a test for the shout option."), prompt);
        assertTrue(prompt.contains("## What the earlier run did\n\n" + firstDone.summary().strip()), prompt);
        assertTrue(prompt.contains("- [ ] The README mentions the change") && prompt.contains("Make it friendlier."), prompt);
        assertTrue(prompt.contains("`" + branch + "`"), prompt);

        // the same pull request record now holds both commits, and its diff (against main) both changes
        String path = secondDone.pullRequestUrl().substring("http://gateway.test".length());
        JsonPath pr = given().auth().oauth2(Tokens.member(workspace)).when().get(path)
                .then().statusCode(200)
                .body("runId", equalTo(first.runId().toString()))
                .body("base", equalTo("main"))
                .body("head", equalTo(branch))
                .body("commits.size()", equalTo(2))
                .body("diff", containsString("+Changed by the test agent for run " + first.runId()))
                .body("diff", containsString("+Changed by the test agent for run " + second.runId()))
                .body("body", containsString("Follow-up (run " + second.runId() + ")"))
                .body("body", containsString("Also add a test for the shout option."))
                .extract().jsonPath();
        assertEquals(List.of(firstSha, git(bare, "rev-parse", branch).strip()), pr.getList("commits.sha"));
    }

    @Test
    void aFollowUpWithoutChangesCompletesWithTheSamePullRequestAndMovesNothing() throws Exception {
        String origin = TestRuns.newOrigin();
        Path bare = TestRuns.originPath(origin);
        RunRequested first = TestRuns.request(workspace, "local", "Add a shout option", origin, null);
        TestRuns.publish(first);
        Stored firstDone = TestRuns.storedFinal(first.runId(), RUN_TIMEOUT);
        String head = git(bare, "rev-parse", firstDone.branch()).strip();

        // the test agent changes nothing for a task titled "nothing"
        RunRequested base = TestRuns.followUp(first, firstDone, "Look again.");
        RunRequested second = new RunRequested(base.eventId(), base.occurredAt(), workspace, base.runId(), base.taskId(),
                "local", origin, "main", base.targetBranch(), base.instructions(),
                TestRuns.request(workspace, "local", "Do nothing", origin, null).context(), base.followUp());
        TestRuns.publish(second);
        Stored done = TestRuns.storedFinal(second.runId(), RUN_TIMEOUT);
        assertEquals(RunStatus.COMPLETED, done.status(), done::toString);
        assertEquals("NO_CHANGES", done.providerStatus());
        assertEquals(firstDone.pullRequestUrl(), done.pullRequestUrl());
        assertEquals(head, git(bare, "rev-parse", firstDone.branch()).strip());
    }

    @Test
    void aFollowUpOfARunTheGatewayNeverHadFailsAtOnce() throws Exception {
        String origin = TestRuns.newOrigin();
        RunRequested base = TestRuns.request(workspace, "local", "Add a shout option", origin, "handoff/nowhere");
        RunRequested followUp = new RunRequested(UUID.randomUUID(), base.occurredAt(), workspace, UUID.randomUUID(),
                base.taskId(), "local", origin, "main", "handoff/nowhere", "More.", base.context(),
                new FollowUp(UUID.randomUUID(), "local-12345678", "handoff/nowhere", null, "earlier"));
        TestRuns.publish(followUp);
        Stored done = TestRuns.storedFinal(followUp.runId(), RUN_TIMEOUT);
        assertEquals(RunStatus.FAILED, done.status());
        assertEquals(ProviderDispatch.FOLLOW_UP_NOT_POSSIBLE, done.errorCode());
        assertNull(done.pullRequestUrl());
    }
}
