package dev.handoff.e2e;

import dev.handoff.testsupport.AgentProcesses;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.testsupport.SseStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The product as a user meets it: the four services, Kafka and PostgreSQL as separate processes, started by
 * {@code ./handoff up} on ports of their own ({@link E2eStack}, shared by every e2e class), driven through the public
 * APIs only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Order(1)
class EndToEndTest {

    private static final List<String> FINAL = List.of("COMPLETED", "FAILED", "CANCELLED");

    private E2eStack e2e;
    private HandoffClient api;
    private HandoffClient.Ports ports;

    @BeforeAll
    void configureAWorkspaceForTheLocalAgent() {
        e2e = E2eStack.get();
        String workspace = E2eStack.newWorkspace("e2e");
        ports = e2e.ports();
        api = e2e.client(e2e.jwt().admin(workspace));
        api.put(ports.gateway(), "/api/agent-config", Map.of("provider", "local", "enabled", true)).expect(200);
    }

    @Test
    void aTaskHandedToTheLocalAgentEndsWithAPushedBranchAndAPullRequest() throws Exception {
        String repositoryUrl = e2e.sampleRepository();
        String taskId = newTask("Add a --shout option to the greeter");

        try (HandoffClient.EventStream events = api.events("?taskId=" + taskId)) {
            JsonNode run = api.post(ports.runs(), "/api/tasks/" + taskId + "/runs",
                    Map.of("repositoryUrl", repositoryUrl, "branch", "main")).expect(201).body();
            String runId = run.get("id").asText();
            assertEquals("PENDING", run.get("status").asText());

            HandoffClient.Reply second = api.post(ports.runs(), "/api/tasks/" + taskId + "/runs",
                    Map.of("repositoryUrl", repositoryUrl, "branch", "main"));
            assertEquals(409, second.status(), second.raw());
            assertEquals("run-already-active", second.body().get("code").asText());
            assertEquals(runId, second.body().get("activeRunId").asText());

            List<JsonNode> statusEvents = collectUntilFinal(events, runId, Duration.ofSeconds(120));
            List<String> statuses = statusEvents.stream().map(e -> e.get("status").asText()).toList();
            assertTrue(statuses.containsAll(List.of("RUNNING", "COMPLETED")), "statuses seen: " + statuses);
            assertEquals("COMPLETED", statuses.get(statuses.size() - 1));
            long lastVersion = 0;
            for (JsonNode event : statusEvents) {
                assertTrue(event.get("version").asLong() > lastVersion, "versions increase: " + statusEvents);
                lastVersion = event.get("version").asLong();
            }

            run = api.get(ports.runs(), "/api/runs/" + runId).expect(200).body();
            assertEquals("COMPLETED", run.get("status").asText());
            String branch = run.get("targetBranch").asText();
            String pullRequestUrl = run.path("pullRequest").path("url").asText(null);
            assertNotNull(pullRequestUrl, "a pull request: " + run);
            assertEquals(branch, run.path("pullRequest").path("branch").asText());

            Path origin = Path.of(repositoryUrl.substring("file://".length()));
            SampleRepo.git(origin, "rev-parse", "--verify", "refs/heads/" + branch);
            int ahead = Integer.parseInt(SampleRepo.git(origin, "rev-list", "--count", "main.." + branch).trim());
            assertTrue(ahead >= 1, "the agent's commit is on the pushed branch");
            assertFalse(SampleRepo.git(origin, "diff", "--stat", "main", branch).isBlank());

            JsonNode pr = api.get(ports.gateway(), pullRequestUrl.replaceFirst("^https?://[^/]+", "")).expect(200).body();
            assertEquals(branch, pr.get("head").asText());
            assertEquals("main", pr.get("base").asText());
            assertFalse(pr.get("diff").asText().isBlank());

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode agentRun = api.get(ports.tasks(), "/api/tasks/" + taskId).expect(200).body().get("agentRun");
                assertEquals(runId, agentRun.get("runId").asText());
                assertEquals("COMPLETED", agentRun.get("status").asText());
                assertEquals(pullRequestUrl, agentRun.get("pullRequestUrl").asText());
            });
        }
    }

    @Test
    void cancellingASlowRunKillsTheAgentAndEndsCancelled() throws Exception {
        String repositoryUrl = e2e.sampleRepository();
        String taskId = newTask("A slow task to cancel");

        try (HandoffClient.EventStream events = api.events("?taskId=" + taskId)) {
            String runId = api.post(ports.runs(), "/api/tasks/" + taskId + "/runs",
                    Map.of("repositoryUrl", repositoryUrl, "branch", "main")).expect(201).body().get("id").asText();
            // the agent's processes as the host sees them (sandboxed, they have other pids inside)
            await().atMost(Duration.ofSeconds(60)).until(() -> AgentProcesses.find(UUID.fromString(runId), "sleep").isPresent()
                    && "RUNNING".equals(api.get(ports.runs(), "/api/runs/" + runId).body().get("status").asText()));
            List<ProcessHandle> tree = AgentProcesses.of(UUID.fromString(runId)).stream()
                    .map(AgentProcesses.Found::handle).toList();
            assertFalse(tree.isEmpty());

            JsonNode cancelled = api.post(ports.runs(), "/api/runs/" + runId + "/cancel", Map.of()).expect(200).body();
            assertEquals("CANCELLED", cancelled.get("status").asText());

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));
            List<JsonNode> statusEvents = collectUntilFinal(events, runId, Duration.ofSeconds(30));
            assertEquals("CANCELLED", statusEvents.get(statusEvents.size() - 1).get("status").asText());
            assertEquals(409, api.post(ports.runs(), "/api/runs/" + runId + "/cancel", Map.of()).status());
        }
    }

    private String newTask(String title) {
        JsonNode brief = api.post(ports.tasks(), "/api/briefs", Sample.brief()).expect(201).body();
        return api.post(ports.tasks(), "/api/briefs/" + brief.get("id").asText() + "/tasks", Sample.task(title))
                .expect(201).body().get("id").asText();
    }

    private static List<JsonNode> collectUntilFinal(HandoffClient.EventStream events, String runId, Duration timeout)
            throws InterruptedException {
        List<JsonNode> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
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
        throw new AssertionError("no final status on the event stream within " + timeout + "; seen: " + seen);
    }
}
