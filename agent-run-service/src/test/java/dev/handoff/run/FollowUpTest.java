package dev.handoff.run;

import static dev.handoff.run.RunApi.as;
import static dev.handoff.run.RunApi.body;
import static dev.handoff.run.RunApi.launch;
import static dev.handoff.run.RunApi.task;
import static dev.handoff.run.RunApi.workspace;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.handoff.events.ErrorInfo;
import dev.handoff.events.EventJson;
import dev.handoff.events.FollowUp;
import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Topics;
import dev.handoff.events.Usage;
import dev.handoff.testsupport.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code POST /api/runs/{id}/followups}: more work on the same branch and pull request, and every refusal. */
@QuarkusTest
class FollowUpTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String BRANCH = "handoff/login-page";
    private static final String PR = "https://github.com/acme/shop/pull/42";

    @Test
    void aFollowUpContinuesTheBranchAndPullRequestOfACompletedRunAndBecomesTheTasksActiveRun() {
        String ws = workspace("followup");
        UUID taskId = task();
        UUID first = RunApi.launched(ws, taskId);
        complete(ws, first, PR, BRANCH, "Added the login page",
                new Usage(61_000L, 1200L, 340L, 0.12));
        RunApi.get(ws, first).body("usage.durationMs", equalTo(61000))
                .body("usage.inputTokens", equalTo(1200))
                .body("usage.outputTokens", equalTo(340))
                .body("usage.costUsd", equalTo(0.12f))
                .body("followUpOf", nullValue());

        var created = followUp(ws, first, "Also add a test for the error message.").statusCode(201)
                .body("status", equalTo("PENDING"))
                .body("followUpOf", equalTo(first.toString()))
                .body("taskId", equalTo(taskId.toString()))
                .body("provider", equalTo("local"))
                .body("repositoryUrl", equalTo(RunApi.REPOSITORY))
                .body("branch", equalTo("main"))
                .body("targetBranch", equalTo(BRANCH))
                .body("instructions", equalTo("Also add a test for the error message."))
                .body("pullRequest", nullValue())
                .body("usage", nullValue())
                .body("history.status", contains("PENDING"));
        UUID second = UUID.fromString(created.extract().path("id"));
        created.header("Location", endsWith("/api/runs/" + second));
        RunApi.get(ws, second).statusCode(200).body("followUpOf", equalTo(first.toString()));

        RunRequested command = EventJson.fromJson(KafkaProbe.await(ProviderUpdatesFlowTest.RUN_REQUESTED,
                KafkaProbe.ofRun(second), 1, WAIT).get(0).value(), RunRequested.class);
        assertEquals(new FollowUp(first, "local-" + first, BRANCH, PR, "Added the login page"), command.followUp());
        assertEquals(BRANCH, command.targetBranch());
        assertEquals("main", command.branch());
        assertEquals("Also add a test for the error message.", command.instructions());
        assertEquals(DownstreamStubs.TASK_TITLE, command.context().task().title());
        // a fresh agent context: the stub numbers its fetches
        RunRequested firstCommand = EventJson.fromJson(KafkaProbe.await(ProviderUpdatesFlowTest.RUN_REQUESTED,
                KafkaProbe.ofRun(first), 1, WAIT).get(0).value(), RunRequested.class);
        assertNull(firstCommand.followUp());
        assertEquals(false, firstCommand.context().task().description().equals(command.context().task().description()));

        // the follow-up is the task's active run: no launch, no second follow-up, no retry meanwhile
        launch(ws, taskId, body()).statusCode(409).body("code", equalTo("run-already-active"))
                .body("activeRunId", equalTo(second.toString()));
        followUp(ws, second, "more").statusCode(409).body("code", equalTo("run-already-active"))
                .body("activeRunId", equalTo(second.toString()));
        followUp(ws, first, "more").statusCode(409).body("code", equalTo("run-already-active"))
                .body("activeRunId", equalTo(second.toString()));

        complete(ws, second, PR, BRANCH, "Added a test", null);
        RunApi.get(ws, second).body("status", equalTo("COMPLETED")).body("pullRequest.url", equalTo(PR))
                .body("pullRequest.branch", equalTo(BRANCH)).body("summary", equalTo("Added a test"));
        // the history shows the follow-up like any run, newest first
        as(ws).get("/api/tasks/{taskId}/runs", taskId).then().statusCode(200)
                .body("id", contains(second.toString(), first.toString()))
                .body("followUpOf", contains(first.toString(), null))
                .body("[0].usage", nullValue())
                .body("[1].usage.durationMs", equalTo(61000));

        // only the task's latest run can be followed up
        followUp(ws, first, "again").statusCode(409).body("code", equalTo("run-not-followable"))
                .body("latestRunId", equalTo(second.toString()));
        UUID third = UUID.fromString(followUp(ws, second, "Rename the test.").statusCode(201)
                .body("followUpOf", equalTo(second.toString())).body("targetBranch", equalTo(BRANCH))
                .extract().path("id"));
        RunRequested thirdCommand = EventJson.fromJson(KafkaProbe.await(ProviderUpdatesFlowTest.RUN_REQUESTED,
                KafkaProbe.ofRun(third), 1, WAIT).get(0).value(), RunRequested.class);
        assertEquals(new FollowUp(second, "local-" + second, BRANCH, PR, "Added a test"), thirdCommand.followUp());
    }

    @Test
    void aFailedFollowUpCanBeFollowedUpAndRetriedOnTheSameBranchAndPullRequest() {
        String ws = workspace("followup");
        UUID taskId = task();
        UUID first = RunApi.launched(ws, taskId);
        complete(ws, first, PR, BRANCH, "Added the login page", null);
        UUID second = UUID.fromString(followUp(ws, first, "Also add a test.").statusCode(201).extract().path("id"));
        publish(new ProviderRunUpdated(UUID.randomUUID(), Instant.now(), ws, second, "local", null, null, "FAILED",
                RunStatus.FAILED, null, null, null, new ErrorInfo("agent-failed", "the agent command exited with code 1")));
        await().atMost(WAIT).untilAsserted(() -> RunApi.get(ws, second).body("status", equalTo("FAILED")));

        // a retry of a follow-up repeats it on its branch: it continues the retried run
        var retried = RunApi.retry(ws, second).statusCode(201)
                .body("followUpOf", equalTo(second.toString()))
                .body("targetBranch", equalTo(BRANCH))
                .body("instructions", equalTo("Also add a test."));
        UUID third = UUID.fromString(retried.extract().path("id"));
        RunRequested command = EventJson.fromJson(KafkaProbe.await(ProviderUpdatesFlowTest.RUN_REQUESTED,
                KafkaProbe.ofRun(third), 1, WAIT).get(0).value(), RunRequested.class);
        // the failed follow-up reported no pull request, agent or summary: its chain's are handed on
        assertEquals(new FollowUp(second, "local-" + first, BRANCH, PR, "Added the login page"), command.followUp());

        RunApi.cancel(ws, third).statusCode(200);
        // cancelled before it reported anything, it still names a branch its chain pushed: it can be followed up
        followUp(ws, third, "Try once more.").statusCode(201).body("followUpOf", equalTo(third.toString()));
    }

    @Test
    void aRunThatEndedBeforeAnythingWasPushedCannotBeFollowedUp() {
        String ws = workspace("followup");
        UUID failed = RunApi.launched(ws, task());
        publish(new ProviderRunUpdated(UUID.randomUUID(), Instant.now(), ws, failed, "local", null, null, "FAILED",
                RunStatus.FAILED, null, null, null, new ErrorInfo("clone-failed", "could not clone")));
        await().atMost(WAIT).untilAsserted(() -> RunApi.get(ws, failed).body("status", equalTo("FAILED")));
        followUp(ws, failed, "Try again.").statusCode(409).body("code", equalTo("run-not-followable"))
                .body("detail", containsString("no branch to continue"));

        UUID unchanged = RunApi.launched(ws, task());
        complete(ws, unchanged, null, null, "The agent finished without changing anything", null);
        followUp(ws, unchanged, "Do something.").statusCode(409).body("code", equalTo("run-not-followable"));

        UUID cancelled = RunApi.launched(ws, task());
        RunApi.cancel(ws, cancelled).statusCode(200);
        followUp(ws, cancelled, "Go on.").statusCode(409).body("code", equalTo("run-not-followable"));
        RunApi.get(ws, cancelled).body("status", equalTo("CANCELLED"));
    }

    @Test
    void anActiveRunCannotBeFollowedUpYet() {
        String ws = workspace("followup");
        UUID running = RunApi.launched(ws, task());
        followUp(ws, running, "And a test.").statusCode(409).body("code", equalTo("run-already-active"))
                .body("activeRunId", equalTo(running.toString()));
    }

    @Test
    void badInstructionsAreRefusedWithTheFieldNamed() {
        String ws = workspace("followup");
        UUID first = RunApi.launched(ws, task());
        complete(ws, first, PR, BRANCH, "done", null);
        for (Object bad : List.of(Map.of(), Map.of("instructions", ""), Map.of("instructions", "   "),
                Map.of("instructions", "x".repeat(10_001)))) {
            followUp(ws, first, bad).statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("validation-failed"))
                    .body("violations.field", hasItem("instructions"));
        }
        followUp(ws, first, "{\"instructions\": 42, ").statusCode(400).body("code", equalTo("validation-failed"));
        followUp(ws, first, "{\"instructions\": [\"a\"]}").statusCode(400).body("code", equalTo("validation-failed"));
        // nothing was created: the longest allowed instructions still make a follow-up
        followUp(ws, first, "y".repeat(10_000)).statusCode(201);
    }

    @Test
    void anotherWorkspacesOrAnUnknownRunIsNotFound() {
        String ws = workspace("followup");
        UUID first = RunApi.launched(ws, task());
        complete(ws, first, PR, BRANCH, "done", null);
        followUp(workspace("intruder"), first, "Steal it.").statusCode(404).body("code", equalTo("not-found"));
        followUp(ws, UUID.randomUUID(), "Nothing there.").statusCode(404).body("code", equalTo("not-found"));
        as(ws).contentType(ContentType.JSON).body("{\"instructions\":\"x\"}").post("/api/runs/not-a-uuid/followups")
                .then().statusCode(404);
        RunApi.get(ws, first).body("status", equalTo("COMPLETED"));
    }

    @Test
    void anIdempotencyKeyAnswersTheSameFollowUpAndRefusesAnotherBody() {
        String ws = workspace("followup");
        UUID taskId = task();
        UUID first = RunApi.launched(ws, taskId);
        complete(ws, first, PR, BRANCH, "done", null);
        String key = "followup-" + UUID.randomUUID();
        String id = followUp(ws, first, "Add a test.", key).statusCode(201).extract().path("id");
        // the same request again: the same run, 200, even though the task now has an active run
        followUp(ws, first, "Add a test.", key).statusCode(200).body("id", equalTo(id))
                .header("Location", endsWith("/api/runs/" + id));
        followUp(ws, first, "Add two tests.", key).statusCode(422).body("code", equalTo("idempotency-key-reused"));
        // a launch's key is not a follow-up's
        String launchKey = "launch-" + UUID.randomUUID();
        UUID otherTask = task();
        as(ws).contentType(ContentType.JSON).header("Idempotency-Key", launchKey).body(EventJson.toJson(body()))
                .post("/api/tasks/{taskId}/runs", otherTask).then().statusCode(201);
        followUp(ws, first, "Add a test.", launchKey).statusCode(422).body("code", equalTo("idempotency-key-reused"));
        followUp(ws, first, "Add a test.", "bad key with spaces").statusCode(400).body("code", equalTo("validation-failed"));
        as(ws).get("/api/tasks/{taskId}/runs", taskId).then().body("id", contains(id, first.toString()))
                .body("id", not(hasItem(nullValue())));
    }

    // ---- helpers ----

    static ValidatableResponse followUp(String ws, UUID runId, Object body) {
        return followUp(ws, runId, body, null);
    }

    static ValidatableResponse followUp(String ws, UUID runId, Object body, String key) {
        var request = as(ws).contentType(ContentType.JSON);
        if (key != null) {
            request = request.header("Idempotency-Key", key);
        }
        String json = body instanceof String s && s.startsWith("{") ? s
                : body instanceof String s ? EventJson.toJson(Map.of("instructions", s)) : EventJson.toJson(body);
        return request.body(json).post("/api/runs/{id}/followups", runId).then();
    }

    /** The provider reports the run RUNNING, then COMPLETED with this pull request (none when null). */
    static void complete(String ws, UUID runId, String prUrl, String branch, String summary, Usage usage) {
        publish(new ProviderRunUpdated(UUID.randomUUID(), Instant.now(), ws, runId, "local", "local-" + runId, null,
                "AGENT_RUNNING", RunStatus.RUNNING, null, null, null, null));
        publish(new ProviderRunUpdated(UUID.randomUUID(), Instant.now(), ws, runId, "local", "local-" + runId, null,
                prUrl == null ? "NO_CHANGES" : "PULL_REQUEST_OPENED", RunStatus.COMPLETED, prUrl, branch, summary, null,
                usage));
        await().atMost(WAIT).untilAsserted(() -> RunApi.get(ws, runId).body("status", equalTo("COMPLETED")));
    }

    private static void publish(ProviderRunUpdated update) {
        KafkaProbe.publish(Topics.PROVIDER_RUN_UPDATED, update);
    }
}
