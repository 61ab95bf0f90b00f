package dev.handoff.gateway.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.gateway.LocalPullRequest;
import dev.handoff.gateway.TestRuns;
import dev.handoff.gateway.local.agents.AgentLaunch;
import dev.handoff.gateway.local.agents.AgentPreset;
import dev.handoff.gateway.local.agents.LocalAgents;
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

/**
 * A preset whose CLI the agent cannot run fails its run with {@code agent-not-installed}, naming the command and how
 * to install it, before any agent starts; "installed" means in the agent's PATH as the sandbox shows it.
 */
class AgentNotInstalledTest {

    private static final Path STAND_INS = Path.of(System.getProperty("user.dir"), "src", "test", "resources", "agent-cli");

    @TempDir
    Path dir;

    private static Sandbox sandbox(String mode, List<String> readPaths) {
        return new Sandbox(new SandboxConfig() {
            @Override
            public String mode() {
                return mode;
            }

            @Override
            public String network() {
                return "none";
            }

            @Override
            public Optional<List<Integer>> loopbackPorts() {
                return Optional.empty();
            }

            @Override
            public String bwrap() {
                return "bwrap";
            }

            @Override
            public String socat() {
                return "socat";
            }

            @Override
            public Optional<List<String>> readPaths() {
                return Optional.of(readPaths);
            }
        });
    }

    @Test
    void aCliIsInstalledOnlyWhereTheAgentSeesIt() {
        LocalAgents unconfined = new LocalAgents(List.of(AgentPreset.CLAUDE_CODE), STAND_INS + ":/usr/bin", sandbox("off", List.of()));
        assertTrue(unconfined.notInstalled(AgentPreset.CLAUDE_CODE).isEmpty());

        LocalAgents hidden = new LocalAgents(List.of(AgentPreset.CLAUDE_CODE), STAND_INS + ":/usr/bin", sandbox("on", List.of()));
        String problem = hidden.notInstalled(AgentPreset.CLAUDE_CODE).orElseThrow();
        assertTrue(problem.contains("'claude'") && problem.contains("as the sandbox shows it")
                && problem.contains("npm install -g @anthropic-ai/claude-code"), problem);

        LocalAgents shown = new LocalAgents(List.of(AgentPreset.CLAUDE_CODE), STAND_INS + ":/usr/bin",
                sandbox("on", List.of(STAND_INS.getParent().toString())));
        assertTrue(shown.notInstalled(AgentPreset.CLAUDE_CODE).isEmpty());
        assertTrue(shown.notInstalled(AgentPreset.DEMO).isEmpty(), "demo and custom run no CLI of their own");
    }

    @Test
    void aRunWhoseCliIsMissingFailsWithAgentNotInstalledBeforeAnyAgentStarts() throws Exception {
        String origin = TestRuns.newOrigin();
        RunRequested request = TestRuns.request("gw-unit", "local", "Missing CLI " + UUID.randomUUID(), origin, null);
        List<RunUpdate> updates = new ArrayList<>();
        Sandbox off = sandbox("off", List.of());
        LocalRun.Settings settings = new LocalRun.Settings(dir.resolve("work"), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(30), Duration.ofSeconds(1), "http://gateway.test",
                Map.of("PATH", "/nonexistent", "HOME", System.getProperty("user.home"), "LANG", "C.UTF-8"),
                new RepositoryPolicy(List.of(TestRuns.REPO_ROOT.toString()), List.of()),
                new GitHubPullRequests("https://api.github.com", Optional.empty()), off);
        Files.createDirectories(settings.workRoot());
        LocalAgents agents = new LocalAgents(List.of(AgentPreset.CODEX), "/nonexistent", off);
        new LocalRun(request, settings, new LocalRun.Host() {
            @Override
            public void report(UUID runId, RunUpdate update) {
                updates.add(update);
            }

            @Override
            public void savePullRequest(LocalPullRequest pullRequest) {
            }
        }).agent(new AgentLaunch(AgentPreset.CODEX, null, "sk-unused", null), agents).run();

        assertEquals(1, updates.size(), () -> "updates: " + updates);
        RunUpdate failed = updates.get(0);
        assertEquals(RunStatus.FAILED, failed.status());
        assertEquals("agent-not-installed", failed.error().code());
        assertTrue(failed.error().message().contains("'codex'") && failed.error().message().contains("@openai/codex"),
                failed.error().message());
    }
}
