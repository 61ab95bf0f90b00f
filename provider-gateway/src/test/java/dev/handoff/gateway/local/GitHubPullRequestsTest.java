package dev.handoff.gateway.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.handoff.events.EventJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Opening a pull request through GitHub's REST API ({@code POST /repos/{owner}/{repo}/pulls}), against a stand-in. */
class GitHubPullRequestsTest {

    private HttpServer gitHub;
    private final AtomicReference<String> path = new AtomicReference<>();
    private final AtomicReference<String> authorization = new AtomicReference<>();
    private final AtomicReference<String> apiVersion = new AtomicReference<>();
    private final AtomicReference<JsonNode> body = new AtomicReference<>();
    private volatile int status = 201;

    @BeforeEach
    void startGitHub() throws IOException {
        gitHub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gitHub.createContext("/", exchange -> {
            path.set(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            apiVersion.set(exchange.getRequestHeaders().getFirst("X-GitHub-Api-Version"));
            body.set(EventJson.mapper().readTree(exchange.getRequestBody()));
            byte[] answer = (status == 201
                    ? "{\"number\": 42, \"html_url\": \"https://github.com/acme/app/pull/42\", \"state\": \"open\"}"
                    : "{\"message\": \"Validation Failed\", \"errors\": [{\"message\": \"A pull request already exists for acme:x.\"}]}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        gitHub.start();
    }

    @AfterEach
    void stopGitHub() {
        gitHub.stop(0);
    }

    private String apiUrl() {
        return "http://127.0.0.1:" + gitHub.getAddress().getPort();
    }

    @Test
    void aPullRequestIsOpenedWithTheTokenAndTheBranches() {
        GitHubPullRequests pulls = new GitHubPullRequests("https://api.github.com", Optional.of("ghp_token"));
        GitHubPullRequests.Repo repo = pulls.repoOf("https://github.com/acme/app.git").orElseThrow();
        GitHubPullRequests local = new GitHubPullRequests(apiUrl(), Optional.of("ghp_token"));

        String url = local.open(repo, "ghp_token", "Add a shout option", "Body", "handoff/shout-1234", "main");

        assertEquals("https://github.com/acme/app/pull/42", url);
        assertEquals("POST /repos/acme/app/pulls", path.get());
        assertEquals("Bearer ghp_token", authorization.get());
        assertEquals("2022-11-28", apiVersion.get());
        assertEquals("Add a shout option", body.get().get("title").asText());
        assertEquals("handoff/shout-1234", body.get().get("head").asText());
        assertEquals("main", body.get().get("base").asText());
        assertEquals("Body", body.get().get("body").asText());
    }

    @Test
    void gitHubRefusingThePullRequestFailsTheRunWithItsReasonButNotTheToken() {
        status = 422;
        GitHubPullRequests pulls = new GitHubPullRequests(apiUrl(), Optional.of("ghp_secret_token"));
        LocalRunFailure failure = assertThrows(LocalRunFailure.class,
                () -> pulls.open(new GitHubPullRequests.Repo("acme", "app", true), "ghp_secret_token", "t", "b", "x", "main"));
        assertEquals(LocalRunFailure.PULL_REQUEST_FAILED, failure.code());
        assertTrue(failure.getMessage().contains("A pull request already exists"), failure.getMessage());
        assertFalse(failure.getMessage().contains("ghp_secret_token"));
    }

    @Test
    void onlyGitHubOriginsAreGitHubRepositories() {
        GitHubPullRequests withToken = new GitHubPullRequests("https://api.github.com", Optional.of("t"));
        assertEquals(new GitHubPullRequests.Repo("acme", "app", true), withToken.repoOf("https://github.com/acme/app").orElseThrow());
        assertEquals(new GitHubPullRequests.Repo("acme", "app", false), withToken.repoOf("git@github.com:acme/app.git").orElseThrow());
        assertEquals(new GitHubPullRequests.Repo("acme", "app", false), withToken.repoOf("ssh://git@github.com/acme/app.git").orElseThrow());
        assertTrue(withToken.repoOf("https://gitlab.com/acme/app.git").isEmpty());
        assertTrue(withToken.repoOf("file:///repos/app.git").isEmpty());
        GitHubPullRequests enterprise = new GitHubPullRequests("https://ghe.example.com/api/v3", Optional.of("t"));
        assertEquals("acme", enterprise.repoOf("https://ghe.example.com/acme/app.git").orElseThrow().owner());
    }
}
