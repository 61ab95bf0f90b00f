package dev.handoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stands in for Cursor's Cloud Agents API v0 as published (https://docs.cursor.com/en/background-agent/api):
 * Basic auth with the API key as user name and an empty password; {@code GET /v0/me}, {@code POST /v0/agents},
 * {@code GET /v0/agents} ({@code limit}, {@code cursor}, newest first, {@code nextCursor}),
 * {@code GET /v0/agents/{id}}, {@code POST /v0/agents/{id}/stop}; errors as {@code {"error": "..."}}. An agent is
 * CREATING when launched and stays so until the bench finishes it: then its status is FINISHED and, as Cursor does,
 * a {@code statusChange} webhook is POSTed to the {@code webhook.url} given at launch, signed
 * {@code X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the raw body with webhook.secret>}.
 */
final class FakeCursor implements AutoCloseable {

    /** One launched agent, with the webhook the launch asked for. */
    static final class Agent {
        final String id;
        final String name;
        final String repository;
        final String ref;
        final String branchName;
        final boolean autoCreatePr;
        final String createdAt = Instant.now().toString();
        final String webhookUrl;
        final String webhookSecret;
        final String runId;
        final long launchedNanos = System.nanoTime();
        volatile String status = "CREATING";
        volatile String prUrl;
        volatile String summary;
        volatile boolean stopped;

        Agent(String id, String name, String repository, String ref, String branchName, boolean autoCreatePr,
                String webhookUrl, String webhookSecret) {
            this.id = id;
            this.name = name;
            this.repository = repository;
            this.ref = ref;
            this.branchName = branchName;
            this.autoCreatePr = autoCreatePr;
            this.webhookUrl = webhookUrl;
            this.webhookSecret = webhookSecret;
            this.runId = webhookUrl == null ? null : webhookUrl.substring(webhookUrl.lastIndexOf('/') + 1);
        }
    }

    private final Vertx vertx;
    private final String apiKey;
    private final Http webhooks;
    private final Map<String, Agent> agents = new ConcurrentHashMap<>();
    private final Map<String, Agent> byRun = new ConcurrentHashMap<>();
    private final List<Agent> launchOrder = new ArrayList<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private HttpServer server;

    FakeCursor(Vertx vertx, String apiKey) {
        this.vertx = vertx;
        this.apiKey = apiKey;
        this.webhooks = new Http(vertx, 256);
    }

    FakeCursor start(int port) {
        try {
            server = vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the fake Cursor API could not listen on " + port, e);
        }
        return this;
    }

    String apiKey() {
        return apiKey;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    Agent agentOfRun(String runId) {
        return byRun.get(runId);
    }

    int launched() {
        return byRun.size();
    }

    /** How many calls of each kind the gateway made ("POST /v0/agents", "GET /v0/agents/{id}", "401", ...). */
    Map<String, Integer> calls() {
        Map<String, Integer> copy = new java.util.TreeMap<>();
        calls.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /**
     * The agent of this run finishes: FINISHED with a pull request and a summary, and the statusChange webhook goes
     * to the gateway. Completes with the gateway's answer.
     */
    CompletableFuture<Http.Reply> finish(String runId, byte[] body, String signature) {
        Agent agent = byRun.get(runId);
        agent.status = "FINISHED";
        agent.prUrl = agent.repository + "/pull/" + Math.abs(agent.id.hashCode() % 100000);
        agent.summary = "Implemented the task and opened a pull request.";
        URI url = URI.create(agent.webhookUrl);
        return webhooks.send(HttpMethod.POST, url.getHost(), url.getPort(), url.getRawPath(), Map.of(
                "Content-Type", "application/json",
                "User-Agent", "Cursor-Agent-Webhook/1.0",
                "X-Webhook-ID", "msg_" + UUID.randomUUID().toString().replace("-", ""),
                "X-Webhook-Event", "statusChange",
                "X-Webhook-Signature", signature), Buffer.buffer(body));
    }

    /** The webhook body Cursor sends when the agent of {@code runId} has finished, and its signature header. */
    byte[][] finishedWebhook(String runId) {
        Agent agent = byRun.get(runId);
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("event", "statusChange");
        body.put("timestamp", Instant.now().toString());
        body.put("id", agent.id);
        body.put("status", "FINISHED");
        body.putObject("source").put("repository", agent.repository).put("ref", agent.ref);
        body.putObject("target").put("url", "https://cursor.com/agents?id=" + agent.id).put("branchName", agent.branchName)
                .put("prUrl", agent.repository + "/pull/" + Math.abs(agent.id.hashCode() % 100000));
        body.put("summary", "Implemented the task and opened a pull request.");
        byte[] raw = Http.json(body).getBytes(StandardCharsets.UTF_8);
        return new byte[][] {raw, ("sha256=" + hmacHex(agent.webhookSecret, raw)).getBytes(StandardCharsets.US_ASCII)};
    }

    static String hmacHex(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the published API ----

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            String path = request.path();
            String method = request.method().name();
            if (!("Basic " + Base64.getEncoder().encodeToString((apiKey + ":").getBytes(StandardCharsets.UTF_8)))
                    .equals(request.getHeader("Authorization"))) {
                count("401 " + method + " " + path.replaceAll("/v0/agents/[^/]+", "/v0/agents/{id}"));
                error(request, 401, "Unauthorized");
                return;
            }
            if (method.equals("GET") && path.equals("/v0/me")) {
                count("GET /v0/me");
                ObjectNode me = Http.JSON.createObjectNode();
                me.put("apiKeyName", "Handoff bench key").put("createdAt", "2026-01-15T10:30:00Z")
                        .put("userEmail", "bench@example.com");
                json(request, 200, me);
            } else if (method.equals("POST") && path.equals("/v0/agents")) {
                count("POST /v0/agents");
                launch(request, body);
            } else if (method.equals("GET") && path.equals("/v0/agents")) {
                count("GET /v0/agents");
                list(request);
            } else if (method.equals("GET") && path.startsWith("/v0/agents/") && path.indexOf('/', 11) < 0) {
                count("GET /v0/agents/{id}");
                Agent agent = agents.get(path.substring(11));
                if (agent == null) {
                    error(request, 404, "Agent not found");
                } else {
                    json(request, 200, view(agent));
                }
            } else if (method.equals("POST") && path.startsWith("/v0/agents/") && path.endsWith("/stop")) {
                count("POST /v0/agents/{id}/stop");
                Agent agent = agents.get(path.substring(11, path.length() - 5));
                if (agent == null) {
                    error(request, 404, "Agent not found");
                } else {
                    agent.stopped = true;
                    json(request, 200, Http.JSON.createObjectNode().put("id", agent.id));
                }
            } else {
                count("404 " + method + " " + path);
                error(request, 404, "Not found");
            }
        });
    }

    private void launch(HttpServerRequest request, Buffer raw) {
        JsonNode body;
        try {
            body = Http.JSON.readTree(raw.getBytes());
        } catch (Exception e) {
            error(request, 400, "invalid JSON");
            return;
        }
        String text = body.path("prompt").path("text").asText(null);
        String repository = body.path("source").path("repository").asText(null);
        if (text == null || text.isBlank() || repository == null) {
            error(request, 400, "prompt.text and source.repository are required");
            return;
        }
        JsonNode webhook = body.get("webhook");
        String secret = webhook == null ? null : webhook.path("secret").asText(null);
        if (webhook != null && (secret == null || secret.length() < 32)) {
            error(request, 400, "webhook.secret must be at least 32 characters");
            return;
        }
        String id = "bc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        JsonNode target = body.path("target");
        Agent agent = new Agent(id, text.lines().findFirst().orElse("agent"), repository,
                body.path("source").path("ref").asText("main"), target.path("branchName").asText("cursor/agent-" + id),
                target.path("autoCreatePr").asBoolean(false), webhook == null ? null : webhook.path("url").asText(null), secret);
        agents.put(id, agent);
        synchronized (launchOrder) {
            launchOrder.add(agent);
        }
        if (agent.runId != null) {
            byRun.put(agent.runId, agent);
        }
        json(request, 200, view(agent));
    }

    private void list(HttpServerRequest request) {
        int limit = Integer.parseInt(request.getParam("limit", "20"));
        int from = Integer.parseInt(request.getParam("cursor", "0"));
        List<Agent> newestFirst;
        synchronized (launchOrder) {
            newestFirst = new ArrayList<>(launchOrder);
        }
        java.util.Collections.reverse(newestFirst);
        ObjectNode answer = Http.JSON.createObjectNode();
        ArrayNode page = answer.putArray("agents");
        for (int i = from; i < Math.min(from + limit, newestFirst.size()); i++) {
            page.add(view(newestFirst.get(i)));
        }
        if (from + limit < newestFirst.size()) {
            answer.put("nextCursor", String.valueOf(from + limit));
        }
        json(request, 200, answer);
    }

    private static ObjectNode view(Agent agent) {
        ObjectNode view = Http.JSON.createObjectNode();
        view.put("id", agent.id).put("name", agent.name).put("status", agent.status);
        view.putObject("source").put("repository", agent.repository).put("ref", agent.ref);
        ObjectNode target = view.putObject("target");
        target.put("branchName", agent.branchName).put("url", "https://cursor.com/agents?id=" + agent.id)
                .put("autoCreatePr", agent.autoCreatePr);
        if (agent.prUrl != null) {
            target.put("prUrl", agent.prUrl);
        }
        if (agent.summary != null) {
            view.put("summary", agent.summary);
        }
        view.put("createdAt", agent.createdAt);
        return view;
    }

    private void count(String call) {
        calls.computeIfAbsent(call, k -> new AtomicInteger()).incrementAndGet();
    }

    private static void json(HttpServerRequest request, int status, JsonNode body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Http.json(body));
    }

    private static void error(HttpServerRequest request, int status, String message) {
        json(request, status, Http.JSON.createObjectNode().put("error", message));
    }

    @Override
    public void close() {
        webhooks.close();
        if (server != null) {
            server.close();
        }
    }
}
