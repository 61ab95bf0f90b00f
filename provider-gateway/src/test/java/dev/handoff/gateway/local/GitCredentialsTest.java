package dev.handoff.gateway.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.handoff.events.RunRequested;
import dev.handoff.gateway.LocalPullRequest;
import dev.handoff.gateway.TestRuns;
import dev.handoff.gateway.sandbox.Sandbox;
import dev.handoff.gateway.sandbox.SandboxConfig;
import dev.handoff.gateway.service.RunUpdate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Git credentials are per workspace (contract v2 "Local agents run confined"): a workspace's token reaches only its own
 * runs' git processes (as an HTTP header in git's environment) and its own pull requests (GitHub's API, here a
 * stand-in on 127.0.0.1 following {@code POST /repos/{owner}/{repo}/pulls}); the operator's token only when shared.
 */
class GitCredentialsTest {

    private static final String ORIGIN = "https://github.com/acme/app.git";

    private HttpServer gitHub;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startGitHub() throws IOException {
        gitHub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gitHub.createContext("/repos/", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.getRequestBody().readAllBytes();
            byte[] answer = "{\"number\": 7, \"html_url\": \"https://github.com/acme/app/pull/7\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        gitHub.start();
    }

    @AfterEach
    void stopGitHub() {
        gitHub.stop(0);
    }

    /** GitHub.com, as the gateway's git sees it (no call goes to its API in these tests). */
    private static GitHubPullRequests pulls(Optional<String> shared) {
        return new GitHubPullRequests("https://api.github.com", shared);
    }

    /** GitHub's API: the stand-in. */
    private GitHubPullRequests api(Optional<String> shared) {
        return new GitHubPullRequests("http://127.0.0.1:" + gitHub.getAddress().getPort(), shared);
    }

    private static LocalRun run(String workspace, GitHubPullRequests pulls, String gitToken) {
        RunRequested request = TestRuns.request(workspace, "local", "Credentials " + UUID.randomUUID(), ORIGIN, null);
        SandboxConfig off = new SandboxConfig() {
            public String mode() { return "off"; }
            public String network() { return "none"; }
            public Optional<List<Integer>> loopbackPorts() { return Optional.empty(); }
            public String bwrap() { return "bwrap"; }
            public String socat() { return "socat"; }
            public Optional<List<String>> readPaths() { return Optional.empty(); }
        };
        LocalRun.Settings settings = new LocalRun.Settings(Path.of("target", "unused"), Optional.of("true"), Optional.empty(),
                Duration.ofSeconds(5), Duration.ofSeconds(1), "http://gateway.test", Map.of("PATH", "/usr/bin:/bin"),
                new RepositoryPolicy(List.of(), List.of("github.com")), pulls, new Sandbox(off));
        return new LocalRun(request, settings, new LocalRun.Host() {
            @Override
            public void report(UUID runId, RunUpdate update) {
            }

            @Override
            public void savePullRequest(LocalPullRequest pullRequest) {
            }
        }).gitToken(gitToken);
    }

    private static String header(String token) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eachWorkspacesGitCarriesItsOwnTokenAndNoOthers() {
        GitHubPullRequests pulls = pulls(Optional.of("ghp_operator"));
        Map<String, String> a = run("ws-a", pulls, "ghp_workspace_a").gitFor(ORIGIN).environment();
        Map<String, String> b = run("ws-b", pulls, "ghp_workspace_b").gitFor(ORIGIN).environment();

        assertEquals("http.extraHeader", a.get("GIT_CONFIG_KEY_0"));
        assertEquals(header("ghp_workspace_a"), a.get("GIT_CONFIG_VALUE_0"));
        assertEquals(header("ghp_workspace_b"), b.get("GIT_CONFIG_VALUE_0"));
        assertFalse(String.join(" ", b.values()).contains(Base64.getEncoder().encodeToString(
                "x-access-token:ghp_workspace_a".getBytes(StandardCharsets.UTF_8))), "B's git never carries A's token");
        assertFalse(a.values().stream().anyMatch(v -> v.contains("ghp_workspace_a")), "the token is never in clear in git's environment");
    }

    @Test
    void theOperatorsTokenServesAWorkspaceWithoutItsOwnOnlyWhenShared() {
        Map<String, String> notShared = run("ws-c", pulls(Optional.empty()), null).gitFor(ORIGIN).environment();
        assertNull(notShared.get("GIT_CONFIG_VALUE_0"));
        assertFalse(notShared.containsKey("GIT_CONFIG_COUNT"));

        Map<String, String> shared = run("ws-c", pulls(Optional.of("ghp_operator")), null).gitFor(ORIGIN).environment();
        assertEquals(header("ghp_operator"), shared.get("GIT_CONFIG_VALUE_0"));

        Map<String, String> own = run("ws-d", pulls(Optional.of("ghp_operator")), "ghp_workspace_d").gitFor(ORIGIN).environment();
        assertEquals(header("ghp_workspace_d"), own.get("GIT_CONFIG_VALUE_0"), "a workspace's own token wins over the shared one");
    }

    @Test
    void noTokenGoesToAnOriginOtherThanGitHubOverHttps() {
        GitHubPullRequests pulls = pulls(Optional.empty());
        assertNull(run("ws-a", pulls, "ghp_workspace_a").gitFor("https://gitlab.com/acme/app.git").environment().get("GIT_CONFIG_VALUE_0"));
        assertNull(run("ws-a", pulls, "ghp_workspace_a").gitFor("file:///repos/app.git").environment().get("GIT_CONFIG_VALUE_0"));
        assertNull(run("ws-a", pulls, "ghp_workspace_a").gitFor("git@github.com:acme/app.git").environment().get("GIT_CONFIG_VALUE_0"));
    }

    @Test
    void eachWorkspacesPullRequestIsOpenedWithItsOwnToken() {
        GitHubPullRequests.Repo repo = pulls(Optional.empty()).repoOf(ORIGIN).orElseThrow();
        GitHubPullRequests pulls = api(Optional.empty());

        pulls.open(repo, pulls.token(Optional.of("ghp_workspace_a")).orElseThrow(), "A", "body", "handoff/a", "main");
        pulls.open(repo, pulls.token(Optional.of("ghp_workspace_b")).orElseThrow(), "B", "body", "handoff/b", "main");

        assertEquals(List.of("Bearer ghp_workspace_a", "Bearer ghp_workspace_b"), authorizations);
        assertTrue(pulls.token(Optional.empty()).isEmpty(), "without its own token and without sharing, no pull request through GitHub");
        assertEquals(Optional.of("ghp_operator"), pulls(Optional.of("ghp_operator")).token(Optional.of(" ")));
    }
}
