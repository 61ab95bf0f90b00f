package dev.handoff.gateway.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.EventJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens pull requests through GitHub's REST API ({@code POST /repos/{owner}/{repo}/pulls}) when the origin is a
 * GitHub repository and the run has a git token: the workspace's own, or the operator's {@code HANDOFF_GITHUB_TOKEN}
 * when the operator shares it ({@code HANDOFF_GIT_TOKEN_SHARED=true}). Blocking: called from local-run worker threads only.
 */
final class GitHubPullRequests {

    private static final Pattern HTTPS = Pattern.compile("^https://(?:[^@/]+@)?([^/:]+)(?::\\d+)?/([^/]+)/([^/]+?)(?:\\.git)?/?$");
    private static final Pattern SSH = Pattern.compile("^(?:ssh://)?[A-Za-z0-9._-]+@([^:/]+)(?::\\d+)?[:/]([^/]+)/([^/]+?)(?:\\.git)?/?$");

    private final URI apiUrl;
    private final String webHost;
    /** The operator's token, only when shared with the workspaces that have none of their own. */
    private final Optional<String> sharedToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    GitHubPullRequests(String apiUrl, Optional<String> sharedToken) {
        this.apiUrl = URI.create(apiUrl.replaceAll("/+$", ""));
        String apiHost = this.apiUrl.getHost().toLowerCase(Locale.ROOT);
        this.webHost = apiHost.equals("api.github.com") ? "github.com" : apiHost;
        this.sharedToken = sharedToken.map(String::strip).filter(t -> !t.isEmpty());
    }

    /** A GitHub repository: owner and name. */
    record Repo(String owner, String name, boolean https) {
    }

    /** The token of a workspace's run: its own, else the operator's when shared; empty when neither. */
    Optional<String> token(Optional<String> workspaceToken) {
        Optional<String> own = workspaceToken.map(String::strip).filter(t -> !t.isEmpty());
        return own.isPresent() ? own : sharedToken;
    }

    /** The repository when the origin is on GitHub; empty otherwise. */
    Optional<Repo> repoOf(String originUrl) {
        if (originUrl == null) {
            return Optional.empty();
        }
        for (Pattern pattern : new Pattern[] {HTTPS, SSH}) {
            Matcher m = pattern.matcher(originUrl.strip());
            if (m.matches() && m.group(1).toLowerCase(Locale.ROOT).equals(webHost)) {
                return Optional.of(new Repo(m.group(2), m.group(3), pattern == HTTPS));
            }
        }
        return Optional.empty();
    }

    /** The header git sends to push over https with the token (GitHub's documented x-access-token form). */
    static String gitAuthorization(String token) {
        return "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
    }

    /** Opens the pull request with {@code token}; answers its {@code html_url}. */
    String open(Repo repo, String token, String title, String body, String head, String base) {
        String json = EventJson.toJson(Map.of("title", title, "body", body, "head", head, "base", base));
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl + "/repos/" + repo.owner() + "/" + repo.name() + "/pulls"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 201) {
                JsonNode created = EventJson.mapper().readTree(response.body());
                return created.path("html_url").asText();
            }
            String reason = switch (response.statusCode()) {
                case 401, 403 -> "GitHub refused the git token (HTTP " + response.statusCode() + ")";
                case 404 -> "GitHub does not show " + repo.owner() + "/" + repo.name() + " to the git token (HTTP 404)";
                case 422 -> "GitHub could not open the pull request (HTTP 422: " + message(response.body()) + ")";
                default -> "GitHub answered HTTP " + response.statusCode();
            };
            throw new LocalRunFailure(LocalRunFailure.PULL_REQUEST_FAILED,
                    "the branch " + head + " was pushed, but the pull request could not be opened: " + reason);
        } catch (IOException e) {
            throw new LocalRunFailure(LocalRunFailure.PULL_REQUEST_FAILED,
                    "the branch " + head + " was pushed, but GitHub could not be reached to open the pull request");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalRunFailure(LocalRunFailure.PULL_REQUEST_FAILED, "interrupted while opening the pull request");
        }
    }

    private static String message(String body) {
        try {
            JsonNode error = EventJson.mapper().readTree(body);
            String text = error.path("errors").path(0).path("message").asText(error.path("message").asText("unknown"));
            return text.length() > 200 ? text.substring(0, 200) : text;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
