package dev.handoff.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.testsupport.SseStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Follow-ups on the real stack, with the demo agent that {@code ./handoff demo} uses: launch, COMPLETED with a pull
 * request, a follow-up ("Also add a test."), COMPLETED again, and the same branch of the origin and the same pull
 * request now hold both commits; and every refusal of the follow-up endpoint.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FollowUpEndToEndTest {

    private static final List<String> FINAL = List.of("COMPLETED", "FAILED", "CANCELLED");
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(180);

    private E2eStack e2e;
    private HandoffClient api;
    private HandoffClient.Ports ports;

    @BeforeAll
    void configureAWorkspaceForTheLocalAgent() {
        e2e = E2eStack.get();
        ports = e2e.ports();
        api = e2e.client(e2e.jwt().admin(E2eStack.newWorkspace("e2e-followup")));
        api.put(ports.gateway(), "/api/agent-config", Map.of("provider", "local", "enabled", true)).expect(200);
    }

    @Test
    void aFollowUpAddsItsCommitToTheSameBranchAndPullRequest() throws Exception {
        String repositoryUrl = e2e.sampleRepository();
        Path origin = Path.of(repositoryUrl.substring("file://".length()));
        String taskId = newTask("Add a --shout option to the greeter");

        try (HandoffClient.EventStream events = api.events("?taskId=" + taskId)) {
            String runId = api.post(ports.runs(), "/api/tasks/" + taskId + "/runs",
                    Map.of("repositoryUrl", repositoryUrl, "branch", "main")).expect(201).body().get("id").asText();
            HandoffClient.Reply early = followUp(runId, Demo.FOLLOW_UP, null);
            assertEquals(409, early.status(), early.raw());
            assertEquals("run-already-active", early.body().get("code").asText());
            assertEquals(runId, early.body().get("activeRunId").asText());

            assertEquals("COMPLETED", lastStatus(collectUntilFinal(events, runId)));
            JsonNode first = api.get(ports.runs(), "/api/runs/" + runId).expect(200).body();
            String branch = first.get("targetBranch").asText();
            String pullRequestUrl = first.path("pullRequest").path("url").asText(null);
            assertNotNull(pullRequestUrl, "a pull request: " + first);
            String firstSha = SampleRepo.git(origin, "rev-parse", "refs/heads/" + branch).trim();

            // refusals: bad instructions, another workspace's run, an unknown run
            HandoffClient.Reply blank = followUp(runId, "  ", null);
            assertEquals(400, blank.status(), blank.raw());
            assertEquals("validation-failed", blank.body().get("code").asText());
            assertEquals("instructions", blank.body().get("violations").get(0).get("field").asText());
            assertEquals(400, followUp(runId, "x".repeat(10_001), null).status());
            HandoffClient stranger = e2e.client(e2e.jwt().admin(E2eStack.newWorkspace("e2e-stranger")));
            HandoffClient.Reply foreign = stranger.post(ports.runs(), "/api/runs/" + runId + "/followups",
                    Map.of("instructions", Demo.FOLLOW_UP));
            assertEquals(404, foreign.status(), foreign.raw());
            assertEquals(404, followUp(UUID.randomUUID().toString(), Demo.FOLLOW_UP, null).status());

            // the follow-up, safe to repeat with its Idempotency-Key
            String key = "e2e-followup-" + UUID.randomUUID();
            HandoffClient.Reply created = followUp(runId, Demo.FOLLOW_UP, key).expect(201);
            JsonNode next = created.body();
            String nextId = next.get("id").asText();
            assertEquals("/api/runs/" + nextId, pathOf(created.location()));
            assertEquals(runId, next.get("followUpOf").asText());
            assertEquals(branch, next.get("targetBranch").asText());
            assertEquals("main", next.get("branch").asText());
            assertEquals("local", next.get("provider").asText());
            assertEquals(repositoryUrl, next.get("repositoryUrl").asText());
            assertEquals(nextId, followUp(runId, Demo.FOLLOW_UP, key).expect(200).body().get("id").asText());
            assertEquals("idempotency-key-reused", followUp(runId, "Something else.", key).expect(422).body()
                    .get("code").asText());
            HandoffClient.Reply launch = api.post(ports.runs(), "/api/tasks/" + taskId + "/runs",
                    Map.of("repositoryUrl", repositoryUrl, "branch", "main"));
            assertEquals(409, launch.status(), "the follow-up is the task's active run: " + launch.raw());
            assertEquals(nextId, launch.body().get("activeRunId").asText());

            List<JsonNode> statuses = collectUntilFinal(events, nextId);
            assertEquals("COMPLETED", lastStatus(statuses), () -> "follow-up statuses: " + statuses);
            JsonNode done = api.get(ports.runs(), "/api/runs/" + nextId).expect(200).body();
            assertEquals(pullRequestUrl, done.path("pullRequest").path("url").asText(), "the same pull request");
            assertEquals(branch, done.path("pullRequest").path("branch").asText());

            // the origin's branch moved forward by the follow-up's commit: the demo agent added a test
            assertEquals("2", SampleRepo.git(origin, "rev-list", "--count", "main.." + branch).trim());
            assertEquals(firstSha, SampleRepo.git(origin, "rev-parse", branch + "~1").trim());
            String added = SampleRepo.git(origin, "diff", "--name-only", branch + "~1", branch);
            assertTrue(added.contains("tests/test_handoff_add_a_shout_option_to_the_greeter.py"), added);
            assertTrue(SampleRepo.git(origin, "log", "-1", "--format=%s", branch).startsWith("Follow-up: "));

            // the same pull request record holds both commits, its diff both changes
            JsonNode pr = api.get(ports.gateway(), pullRequestUrl.replaceFirst("^https?://[^/]+", "")).expect(200).body();
            assertEquals(2, pr.get("commits").size(), pr.toString());
            assertEquals(firstSha, pr.get("commits").get(0).get("sha").asText());
            assertEquals(SampleRepo.git(origin, "rev-parse", branch).trim(), pr.get("commits").get(1).get("sha").asText());
            assertTrue(pr.get("diff").asText().contains("docs/handoff/add-a-shout-option-to-the-greeter.md"));
            assertTrue(pr.get("diff").asText().contains("tests/test_handoff_add_a_shout_option_to_the_greeter.py"));
            assertEquals(runId, pr.get("runId").asText());

            // only the latest run can be followed up; the task shows the follow-up as its run
            HandoffClient.Reply stale = followUp(runId, "Again.", null);
            assertEquals(409, stale.status(), stale.raw());
            assertEquals("run-not-followable", stale.body().get("code").asText());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode agentRun = api.get(ports.tasks(), "/api/tasks/" + taskId).expect(200).body().get("agentRun");
                assertEquals(nextId, agentRun.get("runId").asText());
                assertEquals("COMPLETED", agentRun.get("status").asText());
                assertEquals(pullRequestUrl, agentRun.get("pullRequestUrl").asText());
            });
            JsonNode history = api.get(ports.runs(), "/api/tasks/" + taskId + "/runs").expect(200).body();
            assertEquals(nextId, history.get(0).get("id").asText());
            assertEquals(runId, history.get(0).get("followUpOf").asText());
            assertEquals(runId, history.get(1).get("id").asText());
        }
    }

    @Test
    void aRunThatEndedBeforeAnythingWasPushedCannotBeFollowedUp() throws Exception {
        String taskId = newTask("A task whose repository is not allowed");
        // the local provider refuses a repository outside its allowed roots: the run fails before any push
        String runId = api.post(ports.runs(), "/api/tasks/" + taskId + "/runs",
                Map.of("repositoryUrl", "file:///nowhere/allowed.git", "branch", "main")).expect(201).body().get("id").asText();
        await().atMost(RUN_TIMEOUT).until(() -> "FAILED".equals(
                api.get(ports.runs(), "/api/runs/" + runId).expect(200).body().get("status").asText()));
        HandoffClient.Reply refused = followUp(runId, "Try again.", null);
        assertEquals(409, refused.status(), refused.raw());
        assertEquals("run-not-followable", refused.body().get("code").asText());
    }

    private HandoffClient.Reply followUp(String runId, String instructions, String key) {
        Map<String, Object> body = Map.of("instructions", instructions);
        String path = "/api/runs/" + runId + "/followups";
        return key == null ? api.post(ports.runs(), path, body)
                : api.post(ports.runs(), path, body, Map.of("Idempotency-Key", key));
    }

    private static String pathOf(String location) {
        return location == null ? null : location.replaceFirst("^https?://[^/]+", "");
    }

    private String newTask(String title) {
        JsonNode brief = api.post(ports.tasks(), "/api/briefs", Sample.brief()).expect(201).body();
        return api.post(ports.tasks(), "/api/briefs/" + brief.get("id").asText() + "/tasks", Sample.task(title))
                .expect(201).body().get("id").asText();
    }

    private static String lastStatus(List<JsonNode> statusEvents) {
        return statusEvents.get(statusEvents.size() - 1).get("status").asText();
    }

    private static List<JsonNode> collectUntilFinal(HandoffClient.EventStream events, String runId)
            throws InterruptedException {
        List<JsonNode> seen = new ArrayList<>();
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            SseStream.Event event = events.next(Duration.ofMillis(500));
            if (event != null && "run.status-changed".equals(event.event())
                    && runId.equals(event.json().path("runId").asText())) {
                seen.add(event.json());
                if (FINAL.contains(event.json().get("status").asText())) {
                    return seen;
                }
            }
        }
        throw new AssertionError("no final status on the event stream within " + RUN_TIMEOUT + "; seen: " + seen);
    }
}
