package dev.handoff.gateway.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.gateway.LocalPullRequest;
import dev.handoff.gateway.TestRuns;
import dev.handoff.gateway.sandbox.Sandbox;
import dev.handoff.gateway.sandbox.SandboxConfig;
import dev.handoff.gateway.service.RunUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without a working sandbox no agent starts: the run fails with sandbox-unavailable, never runs unconfined. */
class SandboxUnavailableTest {

    @TempDir
    Path dir;

    @Test
    void aMissingBubblewrapFailsTheRunWithSandboxUnavailableAndStartsNoAgent() throws Exception {
        Sandbox sandbox = new Sandbox(config("on", "/nonexistent/bwrap"));
        assertTrue(sandbox.problem().orElseThrow().contains("bubblewrap"), sandbox.problem().toString());

        Path started = dir.resolve("agent-started");
        List<RunUpdate> updates = run(sandbox, "touch " + started);

        RunUpdate last = updates.get(updates.size() - 1);
        assertEquals(RunStatus.FAILED, last.status(), () -> "updates: " + updates);
        assertEquals("sandbox-unavailable", last.error().code());
        assertTrue(last.error().message().contains("HANDOFF_LOCAL_SANDBOX=off"), last.error().message());
        assertTrue(updates.stream().noneMatch(u -> u.status() == RunStatus.RUNNING), "no agent was started");
        assertFalse(Files.exists(started));
    }

    @Test
    void onlyTheOperatorsExplicitOffRunsTheAgentUnconfinedAndTheRunSaysSo() throws Exception {
        Sandbox sandbox = new Sandbox(config("off", "/nonexistent/bwrap"));
        List<RunUpdate> updates = run(sandbox, "echo unconfined >> README.md");

        RunUpdate last = updates.get(updates.size() - 1);
        assertEquals(RunStatus.COMPLETED, last.status(), () -> "updates: " + updates);
        assertTrue(last.summary().contains("HANDOFF_LOCAL_SANDBOX=off"), last.summary());
    }

    private List<RunUpdate> run(Sandbox sandbox, String agentCommand) throws Exception {
        String origin = TestRuns.newOrigin();
        RunRequested request = TestRuns.request("gw-unit", "local", "A sandbox task " + UUID.randomUUID(), origin, null);
        List<RunUpdate> updates = new ArrayList<>();
        LocalRun.Settings settings = new LocalRun.Settings(dir.resolve("work"), Optional.of(agentCommand), Optional.empty(),
                Duration.ofSeconds(30), Duration.ofSeconds(1), "http://gateway.test",
                Map.of("PATH", System.getenv("PATH"), "HOME", System.getProperty("user.home"), "LANG", "C.UTF-8"),
                new RepositoryPolicy(List.of(TestRuns.REPO_ROOT.toString()), List.of()),
                new GitHubPullRequests("https://api.github.com", Optional.empty()), sandbox);
        Files.createDirectories(settings.workRoot());
        new LocalRun(request, settings, new LocalRun.Host() {
            @Override
            public void report(UUID runId, RunUpdate update) {
                updates.add(update);
            }

            @Override
            public void savePullRequest(LocalPullRequest pullRequest) {
                // the pull request itself is another test's business
            }
        }).run();
        return updates;
    }

    static SandboxConfig config(String mode, String bwrap) {
        return new SandboxConfig() {
            @Override
            public String mode() {
                return mode;
            }

            @Override
            public String network() {
                return "proxy";
            }

            @Override
            public Optional<List<Integer>> loopbackPorts() {
                return Optional.empty();
            }

            @Override
            public String bwrap() {
                return bwrap;
            }

            @Override
            public String socat() {
                return "socat";
            }

            @Override
            public Optional<List<String>> readPaths() {
                return Optional.empty();
            }
        };
    }
}
