package dev.handoff.gateway.cursor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.EventJson;
import dev.handoff.gateway.GatewayConfig;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Cursor's Cloud Agents API v0, as published: Basic auth with the API key as user name and an empty password;
 * {@code GET /v0/me}, {@code POST /v0/agents}, {@code GET /v0/agents}, {@code GET /v0/agents/{id}},
 * {@code POST /v0/agents/{id}/stop}. Answers are returned with their status; callers decide what a status means.
 */
@ApplicationScoped
public class CursorApi {

    private final WebClient client;
    private final URI base;
    private final long timeoutMillis;

    public CursorApi(Vertx vertx, GatewayConfig config) {
        this.base = URI.create(config.cursor().baseUrl().replaceAll("/+$", ""));
        this.timeoutMillis = config.cursor().requestTimeout().toMillis();
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setUserAgent("handoff-provider-gateway")
                .setConnectTimeout((int) timeoutMillis)
                .setFollowRedirects(false));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** {@code GET /v0/me}: who the key belongs to; 200 when Cursor accepts the key. */
    public Uni<Answer> me(String apiKey) {
        return send(request(HttpMethod.GET, "/v0/me", apiKey), null);
    }

    /** {@code POST /v0/agents}: launches an agent; 201/200 with the agent ({@code id}, {@code status} CREATING). */
    public Uni<Answer> launch(String apiKey, LaunchRequest launch) {
        return send(request(HttpMethod.POST, "/v0/agents", apiKey), launch);
    }

    /** {@code GET /v0/agents/{id}}: the agent's status, target ({@code branchName}, {@code url}, {@code prUrl}), summary. */
    public Uni<Answer> agent(String apiKey, String agentId) {
        return send(request(HttpMethod.GET, "/v0/agents/" + encode(agentId), apiKey), null);
    }

    /** {@code GET /v0/agents?limit=&cursor=}: one page of the key owner's agents, newest first, with {@code nextCursor}. */
    public Uni<Answer> agents(String apiKey, int limit, String cursor) {
        HttpRequest<Buffer> request = request(HttpMethod.GET, "/v0/agents", apiKey).addQueryParam("limit", String.valueOf(limit));
        if (cursor != null) {
            request.addQueryParam("cursor", cursor);
        }
        return send(request, null);
    }

    /** {@code POST /v0/agents/{id}/stop}: stops a running agent. */
    public Uni<Answer> stop(String apiKey, String agentId) {
        return send(request(HttpMethod.POST, "/v0/agents/" + encode(agentId) + "/stop", apiKey), null);
    }

    private HttpRequest<Buffer> request(HttpMethod method, String path, String apiKey) {
        int port = base.getPort() != -1 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80;
        String prefix = base.getPath() == null ? "" : base.getPath();
        return client.request(method, port, base.getHost(), prefix + path)
                .ssl("https".equals(base.getScheme()))
                .timeout(timeoutMillis)
                .putHeader("Authorization", basic(apiKey))
                .putHeader("Accept", "application/json");
    }

    private Uni<Answer> send(HttpRequest<Buffer> request, Object body) {
        Uni<HttpResponse<Buffer>> response = body == null
                ? request.send()
                : request.putHeader("Content-Type", "application/json")
                        .sendBuffer(Buffer.buffer(EventJson.toJson(body)));
        return response.map(r -> new Answer(r.statusCode(), parse(r.bodyAsString()), r.getHeader("Retry-After")));
    }

    static String basic(String apiKey) {
        return "Basic " + Base64.getEncoder().encodeToString((apiKey + ":").getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return EventJson.mapper().nullNode();
        }
        try {
            return EventJson.mapper().readTree(body);
        } catch (Exception e) {
            return EventJson.mapper().nullNode();
        }
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Cursor's answer: HTTP status, the JSON body (a null node when none), and {@code Retry-After} when sent. */
    public record Answer(int status, JsonNode body, String retryAfter) {

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public boolean keyRejected() {
            return status == 401 || status == 403;
        }

        public boolean retryLater() {
            return status == 429 || status >= 500;
        }
    }

    /** The body of {@code POST /v0/agents}. Fields left null are not sent. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LaunchRequest(Prompt prompt, String model, Source source, Target target, Webhook webhook) {

        public static LaunchRequest of(String promptText, String repository, String ref, String branchName, String model,
                String webhookUrl, String webhookSecret) {
            return new LaunchRequest(new Prompt(promptText), model, new Source(repository, ref), new Target(branchName, true),
                    webhookUrl == null ? null : new Webhook(webhookUrl, webhookSecret));
        }

        /** Without the prompt and the webhook secret: safe to log. */
        @Override
        public String toString() {
            return "LaunchRequest[source=" + source + ", target=" + target + ", model=" + model + "]";
        }
    }

    /** {@code prompt.text}: the instructions. */
    public record Prompt(String text) {
    }

    /** {@code source}: the GitHub repository and the ref the agent starts from. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Source(String repository, String ref) {
    }

    /** {@code target}: the branch the agent works on, and that it opens a pull request when done. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Target(String branchName, boolean autoCreatePr) {
    }

    /** {@code webhook}: where Cursor reports FINISHED and ERROR, signed with the secret. */
    public record Webhook(String url, String secret) {

        @Override
        public String toString() {
            return "Webhook[url=" + url + "]";
        }
    }

    /** The {@code agents} array of a {@code GET /v0/agents} page. */
    static List<JsonNode> agentsOf(JsonNode page) {
        List<JsonNode> agents = new java.util.ArrayList<>();
        page.path("agents").forEach(agents::add);
        return agents;
    }
}
