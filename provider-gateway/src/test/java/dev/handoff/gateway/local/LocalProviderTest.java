package dev.handoff.gateway.local;

import dev.handoff.testsupport.AgentProcesses;
import static dev.handoff.gateway.TestRuns.git;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunCancelRequested;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Topics;
import dev.handoff.gateway.TestAssignments;
import dev.handoff.gateway.TestRuns;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.KafkaProbe;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The local provider on real git repositories, driven through Kafka as the run service drives it. */
@QuarkusTest
class LocalProviderTest {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    private final String workspace = TestRuns.workspace();

    @BeforeEach
    void consumersReady() {
        TestAssignments.awaitConsumersReady();
    }

    @Test
    void aRunPushesTheAgentsCommitAndServesTheLocalPullRequest() throws Exception {
        String origin = TestRuns.newOrigin();
        RunRequested request = TestRuns.request(workspace, "local", "Add a shout option", origin, null);
        TestRuns.publish(request);

        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), RUN_TIMEOUT);
        assertEquals(List.of(RunStatus.RUNNING, RunStatus.COMPLETED), updates.stream().map(ProviderRunUpdated::status).toList(),
                () -> "updates: " + updates);
        ProviderRunUpdated running = updates.get(0);
        assertEquals("local-" + request.runId().toString().substring(0, 8), running.providerRunId());
        assertEquals(workspace, running.workspaceId());
        assertEquals("local", running.provider());
        ProviderRunUpdated completed = updates.get(1);
        String branch = "handoff/add-a-shout-option-" + request.runId().toString().substring(0, 8);
        assertEquals(branch, completed.branch());
        assertTrue(completed.summary().contains("1 commit"), completed.summary());
        assertTrue(completed.summary().contains("test agent: edited README.md"), completed.summary());
        assertTrue(completed.pullRequestUrl().startsWith("http://gateway.test/api/pull-requests/"), completed.pullRequestUrl());

        // the branch is on the origin, with the agent's commit on top of main
        Path bare = TestRuns.originPath(origin);
        assertEquals("1", git(bare, "rev-list", "--count", "main.." + branch).strip());
        assertEquals("Handoff Agent", git(bare, "log", "-1", "--format=%an", branch).strip());
        assertEquals("Add a shout option", git(bare, "log", "-1", "--format=%s", branch).strip());
        assertTrue(git(bare, "show", branch + ":README.md").contains("Changed by the test agent for run " + request.runId()));

        // the agent got the prompt on stdin, and an environment with nothing of ours but its three variables
        String prompt = git(bare, "show", branch + ":PROMPT_FROM_STDIN.md");
        assertTrue(prompt.startsWith("# Task: Add a shout option\n"), prompt);
        assertTrue(prompt.contains("- [ ] The README mentions the change\n- [ ] Existing tests still pass"), prompt);
        assertTrue(prompt.indexOf("1. Add the option") < prompt.indexOf("2. Write the test"), prompt);
        assertTrue(prompt.contains("Keep the change small.") && prompt.contains("Make it friendlier."), prompt);
        assertTrue(prompt.contains("`" + branch + "`"), prompt);
        Set<String> envNames = git(bare, "show", branch + ":AGENT_ENV_NAMES.txt").lines().collect(Collectors.toSet());
        assertTrue(envNames.containsAll(Set.of("HANDOFF_RUN_ID", "HANDOFF_TASK_TITLE", "HANDOFF_PROMPT_FILE", "PATH", "HOME")),
                envNames.toString());
        // the sandbox adds only the variables that name its egress proxy (its network is otherwise empty)
        Set<String> allowed = Set.of("HANDOFF_RUN_ID", "HANDOFF_TASK_TITLE", "HANDOFF_PROMPT_FILE", "PATH", "HOME", "LANG",
                "TERM", "PWD", "SHLVL", "_", "OLDPWD", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy");
        assertTrue(allowed.containsAll(envNames), "unexpected variables in the agent's environment: " + envNames);

        // the pull request, served to the workspace only
        String path = completed.pullRequestUrl().substring("http://gateway.test".length());
        JsonPath pr = given().auth().oauth2(Tokens.member(workspace)).when().get(path)
                .then().statusCode(200)
                .body("runId", equalTo(request.runId().toString()))
                .body("base", equalTo("main"))
                .body("head", equalTo(branch))
                .body("title", equalTo("Add a shout option"))
                .body("repositoryUrl", equalTo(origin))
                .body("commits.size()", equalTo(1))
                .body("commits[0].author", equalTo("Handoff Agent"))
                .body("diffStat", containsString("README.md"))
                .body("diff", containsString("+Changed by the test agent for run " + request.runId()))
                .extract().jsonPath();
        assertEquals(git(bare, "rev-parse", branch).strip(), pr.getString("commits[0].sha"));
        given().auth().oauth2(Tokens.member("other-" + workspace)).when().get(path).then().statusCode(404);
        given().auth().oauth2(Tokens.member(workspace)).when().get("/api/pull-requests/" + UUID.randomUUID()).then().statusCode(404);
        given().auth().oauth2(Tokens.member(workspace)).when().get("/api/pull-requests/not-a-uuid").then().statusCode(404);
        given().when().get(path).then().statusCode(401);

        // the worktree is gone, the agent's log stays
        Path runDir = TestRuns.WORK_DIR.resolve(request.runId().toString());
        assertFalse(Files.exists(runDir.resolve("repo")));
        assertTrue(Files.readString(runDir.resolve("agent.log")).contains("test agent: edited README.md"));
    }

    @Test
    void cancellingARunKillsTheAgentsWholeProcessTree() throws Exception {
        String origin = TestRuns.newOrigin();
        RunRequested request = TestRuns.request(workspace, "local", "A slow task", origin, "handoff/slow-" + UUID.randomUUID());
        TestRuns.publish(request);

        TestRuns.updatesUntil(request.runId(), update -> update.status() == RunStatus.RUNNING, RUN_TIMEOUT);
        // the agent runs in its own PID namespace: its processes are found by their run id, with their host pids
        await().atMost(Duration.ofSeconds(20)).until(() -> AgentProcesses.find(request.runId(), "sleep 300").isPresent());
        ProcessHandle agent = AgentProcesses.find(request.runId(), "test-agent.sh").orElseThrow();
        ProcessHandle child = AgentProcesses.find(request.runId(), "sleep 300").orElseThrow();
        assertTrue(agent.isAlive() && child.isAlive());

        KafkaProbe.publish(Topics.RUN_CANCEL_REQUESTED, new RunCancelRequested(UUID.randomUUID(), Instant.now(), workspace,
                request.runId(), "local", "local-" + request.runId().toString().substring(0, 8)));

        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), RUN_TIMEOUT);
        assertEquals(RunStatus.CANCELLED, updates.get(updates.size() - 1).status(), () -> "updates: " + updates);
        await().atMost(Duration.ofSeconds(10)).until(() -> !agent.isAlive() && !child.isAlive());
        assertEquals(1, TestRuns.git(TestRuns.originPath(origin), "branch", "--list").lines().count(), "nothing was pushed");
    }

    @Test
    void anAgentThatOverrunsItsTimeoutIsStoppedAndTheRunFails() throws Exception {
        String origin = TestRuns.newOrigin();
        RunRequested request = TestRuns.request(workspace, "local", "A timeout task", origin, null);
        TestRuns.publish(request);

        await().atMost(Duration.ofSeconds(20)).until(() -> AgentProcesses.find(request.runId(), "sleep 300").isPresent());
        long child = AgentProcesses.find(request.runId(), "sleep 300").orElseThrow().pid();

        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), RUN_TIMEOUT);
        ProviderRunUpdated last = updates.get(updates.size() - 1);
        assertEquals(RunStatus.FAILED, last.status(), () -> "updates: " + updates);
        assertEquals("agent-timed-out", last.error().code());
        assertTrue(last.error().message().contains("HANDOFF_LOCAL_AGENT_TIMEOUT"), last.error().message());
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void aRunThatChangesNothingCompletesWithoutAPullRequest() throws Exception {
        String origin = TestRuns.newOrigin();
        RunRequested request = TestRuns.request(workspace, "local", "Change nothing", origin, "handoff/nothing-x");
        TestRuns.publish(request);

        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), RUN_TIMEOUT);
        ProviderRunUpdated last = updates.get(updates.size() - 1);
        assertEquals(RunStatus.COMPLETED, last.status(), () -> "updates: " + updates);
        assertNull(last.pullRequestUrl());
        assertTrue(last.summary().contains("without changing anything"), last.summary());
        assertTrue(last.summary().contains("nothing to change"), last.summary());
        assertFalse(git(TestRuns.originPath(origin), "branch", "--list").contains("handoff/nothing-x"));
    }

    @Test
    void anAgentThatExitsWithAnErrorFailsTheRunWithItsExitCode() throws Exception {
        String origin = TestRuns.newOrigin();
        RunRequested request = TestRuns.request(workspace, "local", "This will fail", origin, null);
        TestRuns.publish(request);

        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), RUN_TIMEOUT);
        ProviderRunUpdated last = updates.get(updates.size() - 1);
        assertEquals(RunStatus.FAILED, last.status(), () -> "updates: " + updates);
        assertEquals("agent-failed", last.error().code());
        assertTrue(last.error().message().contains("exited with code 3"), last.error().message());
        assertTrue(last.error().message().contains("something broke"), last.error().message());
    }

    @Test
    void aMissingBranchOrARefusedPushFailsTheRunWithAMessageThatSaysSo() throws Exception {
        String origin = TestRuns.newOrigin();
        RunRequested missingBranch = TestRuns.request(workspace, "local", "Missing branch", origin, null);
        missingBranch = new RunRequested(missingBranch.eventId(), missingBranch.occurredAt(), workspace, missingBranch.runId(),
                missingBranch.taskId(), "local", origin, "no-such-branch", null, null, missingBranch.context());
        TestRuns.publish(missingBranch);
        ProviderRunUpdated cloneFailed = last(TestRuns.updatesUntilFinal(missingBranch.runId(), RUN_TIMEOUT));
        assertEquals(RunStatus.FAILED, cloneFailed.status());
        assertEquals("clone-failed", cloneFailed.error().code());
        assertTrue(cloneFailed.error().message().contains("no-such-branch"), cloneFailed.error().message());

        // the origin refuses every push, as a protected repository would
        Path hook = TestRuns.originPath(origin).resolve("hooks/pre-receive");
        Files.writeString(hook, "#!/bin/sh\necho 'pushes are closed today' >&2\nexit 1\n");
        assertTrue(hook.toFile().setExecutable(true));
        RunRequested refused = TestRuns.request(workspace, "local", "Refused push", origin, null);
        TestRuns.publish(refused);
        ProviderRunUpdated pushFailed = last(TestRuns.updatesUntilFinal(refused.runId(), RUN_TIMEOUT));
        assertEquals(RunStatus.FAILED, pushFailed.status());
        assertEquals("push-failed", pushFailed.error().code());
        assertTrue(pushFailed.error().message().contains("could not push the branch"), pushFailed.error().message());
    }

    private static ProviderRunUpdated last(List<ProviderRunUpdated> updates) {
        return updates.get(updates.size() - 1);
    }

    @Test
    void repositoriesTheOperatorDidNotAllowFailAtOnce() {
        RunRequested etc = TestRuns.request(workspace, "local", "Read etc", "file:///etc", null);
        RunRequested escape = TestRuns.request(workspace, "local", "Escape", "file://" + TestRuns.REPO_ROOT + "/../../pom.xml", null);
        RunRequested remote = TestRuns.request(workspace, "local", "Remote", "https://github.com/acme/app.git", null);
        List.of(etc, escape, remote).forEach(TestRuns::publish);

        ProviderRunUpdated etcFailed = TestRuns.updatesUntilFinal(etc.runId(), RUN_TIMEOUT).get(0);
        assertEquals(RunStatus.FAILED, etcFailed.status());
        assertEquals("repository-not-allowed", etcFailed.error().code());
        assertTrue(etcFailed.error().message().contains("HANDOFF_LOCAL_REPO_ROOTS"), etcFailed.error().message());

        ProviderRunUpdated escapeFailed = TestRuns.updatesUntilFinal(escape.runId(), RUN_TIMEOUT).get(0);
        assertEquals("repository-not-allowed", escapeFailed.error().code());

        ProviderRunUpdated remoteFailed = TestRuns.updatesUntilFinal(remote.runId(), RUN_TIMEOUT).get(0);
        assertEquals(RunStatus.FAILED, remoteFailed.status());
        assertEquals("repository-not-allowed", remoteFailed.error().code());
        assertTrue(remoteFailed.error().message().contains("HANDOFF_LOCAL_ALLOWED_HOSTS"), remoteFailed.error().message());
    }

    @Test
    void aRedeliveredRequestStartsOneAgentOnly() throws Exception {
        String origin = TestRuns.newOrigin();
        RunRequested request = TestRuns.request(workspace, "local", "Deliver twice", origin, null);
        TestRuns.publish(request);
        TestRuns.publish(request);

        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), RUN_TIMEOUT);
        assertEquals(RunStatus.COMPLETED, updates.get(updates.size() - 1).status(), () -> "updates: " + updates);
        // a second launch would have pushed a second commit or failed on the existing branch
        String branch = updates.get(updates.size() - 1).branch();
        assertEquals("1", git(TestRuns.originPath(origin), "rev-list", "--count", "main.." + branch).strip());
        List<ProviderRunUpdated> all = TestRuns.updatesUntil(request.runId(), u -> false, Duration.ofSeconds(3));
        assertEquals(1, all.stream().filter(u -> u.status() == RunStatus.RUNNING).count(), () -> "updates: " + all);
        assertEquals(1, all.stream().filter(u -> u.status() == RunStatus.COMPLETED).count(), () -> "updates: " + all);
    }

    @Test
    void aCancelThatOvertakesItsLaunchRequestMeansTheAgentNeverStarts() throws Exception {
        String origin = TestRuns.newOrigin();
        RunRequested request = TestRuns.request(workspace, "local", "Cancelled early", origin, null);
        KafkaProbe.publish(Topics.RUN_CANCEL_REQUESTED, new RunCancelRequested(UUID.randomUUID(), Instant.now(), workspace,
                request.runId(), "local", null));
        List<ProviderRunUpdated> cancelled = TestRuns.updatesUntilFinal(request.runId(), RUN_TIMEOUT);
        assertEquals(RunStatus.CANCELLED, cancelled.get(cancelled.size() - 1).status());

        TestRuns.publish(request);
        List<ProviderRunUpdated> all = TestRuns.updatesUntil(request.runId(), u -> false, Duration.ofSeconds(3));
        assertEquals(List.of(RunStatus.CANCELLED), all.stream().map(ProviderRunUpdated::status).toList());
        assertFalse(Files.exists(TestRuns.WORK_DIR.resolve(request.runId().toString())));
    }

    @Test
    void aLocalRunLeftInFlightByAStoppedGatewayIsFailedAsInterrupted() throws Exception {
        UUID runId = UUID.randomUUID();
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement insert = db.prepareStatement("""
                        insert into provider_run (run_id, workspace_id, provider, status, provider_run_id, owner, lease_until,
                            created_at, updated_at)
                        values (?, ?, 'local', 'RUNNING', 'local-x', 'local-gone', now() - interval '1 minute', now(), now())""")) {
            insert.setObject(1, runId);
            insert.setString(2, workspace);
            insert.executeUpdate();
        }
        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(runId, RUN_TIMEOUT);
        ProviderRunUpdated last = updates.get(updates.size() - 1);
        assertEquals(RunStatus.FAILED, last.status());
        assertEquals("interrupted-by-restart", last.error().code());
        assertNotNull(last.error().message());
        assertEquals(workspace, last.workspaceId());
    }
}
