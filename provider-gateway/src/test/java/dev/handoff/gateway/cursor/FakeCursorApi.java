package dev.handoff.gateway.cursor;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for Cursor's Cloud Agents API v0 as published: Basic auth (the API key as user name, empty password),
 * {@code GET /v0/me}, {@code POST /v0/agents}, {@code GET /v0/agents} (newest first, {@code limit}, {@code cursor},
 * {@code nextCursor}), {@code GET /v0/agents/{id}}, {@code POST /v0/agents/{id}/stop}; errors as {@code {"error": ...}}.
 * Tests steer it (agent status, throttling, key revocation) and read what it was sent.
 */
public class FakeCursorApi implements QuarkusTestResourceLifecycleManager {

    public static final String VALID_KEY = "key_fake_cursor_0123456789abcdef";

    /** Marks the test field the running fake is injected into. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {
    }

    /** One request the fake received. */
    public record Received(String method, String path, String query, String authorization, JsonObject body, Instant at) {
    }

    private Vertx vertx;
    private HttpServer server;
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, JsonObject> agents = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, JsonObject> webhooks = Collections.synchronizedMap(new LinkedHashMap<>());
    private final AtomicInteger throttledReads = new AtomicInteger();
    private volatile String validKey = VALID_KEY;
    private volatile boolean meBroken;

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create());
        router.route().handler(this::record);
        router.route().handler(this::authenticate);
        router.get("/v0/me").handler(this::me);
        router.post("/v0/agents").handler(this::launch);
        router.get("/v0/agents").handler(this::list);
        router.get("/v0/agents/:id").handler(this::agent);
        router.post("/v0/agents/:id/stop").handler(this::stop);
        CompletableFuture<HttpServer> started = new CompletableFuture<>();
        vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .onSuccess(started::complete).onFailure(started::completeExceptionally);
        try {
            server = started.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the fake Cursor API did not start", e);
        }
        return Map.of("handoff.cursor.base-url", "http://127.0.0.1:" + server.actualPort());
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close();
        }
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(this, new TestInjector.AnnotatedAndMatchesType(Inject.class, FakeCursorApi.class));
    }

    // ---- what tests steer and read ----

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public List<Received> received(String method, String pathPrefix) {
        return received().stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).toList();
    }

    /** The agent launched for a branch, or null. */
    public JsonObject agentForBranch(String branch) {
        synchronized (agents) {
            return agents.values().stream()
                    .filter(a -> branch.equals(a.getJsonObject("target").getString("branchName")))
                    .findFirst().map(JsonObject::copy).orElse(null);
        }
    }

    /** The webhook {url, secret} a launch asked for. */
    public JsonObject webhookOf(String agentId) {
        return webhooks.get(agentId);
    }

    public void setStatus(String agentId, String status, String prUrl, String summary) {
        JsonObject agent = agents.get(agentId);
        agent.put("status", status);
        if (prUrl != null) {
            agent.getJsonObject("target").put("prUrl", prUrl);
        }
        if (summary != null) {
            agent.put("summary", summary);
        }
    }

    /** An agent that exists already (as if launched before a crash). */
    public String addAgent(String repository, String ref, String branch, String status) {
        String id = "bc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        agents.put(id, agent(id, "existing agent", repository, ref, branch, false).put("status", status));
        return id;
    }

    /** The next {@code count} reads of an agent are answered 429. */
    public void throttleAgentReads(int count) {
        throttledReads.set(count);
    }

    public void revokeKey() {
        validKey = "revoked-" + UUID.randomUUID();
    }

    public void restoreKey() {
        validKey = VALID_KEY;
    }

    public void breakMe(boolean broken) {
        meBroken = broken;
    }

    public boolean isStopped(String agentId) {
        return agents.get(agentId).getBoolean("stopped", false);
    }

    public static String basic(String key) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
    }

    // ---- the published API ----

    private void record(RoutingContext ctx) {
        JsonObject body = null;
        if (ctx.body() != null && ctx.body().length() > 0) {
            try {
                body = ctx.body().asJsonObject();
            } catch (RuntimeException e) {
                body = new JsonObject().put("unparseable", ctx.body().asString());
            }
        }
        received.add(new Received(ctx.request().method().name(), ctx.request().path(), ctx.request().query(),
                ctx.request().getHeader("Authorization"), body, Instant.now()));
        ctx.next();
    }

    private void authenticate(RoutingContext ctx) {
        if (!basic(validKey).equals(ctx.request().getHeader("Authorization"))) {
            error(ctx, 401, "Unauthorized");
            return;
        }
        ctx.next();
    }

    private void me(RoutingContext ctx) {
        if (meBroken) {
            error(ctx, 500, "Internal server error");
            return;
        }
        json(ctx, 200, new JsonObject().put("apiKeyName", "Handoff test key").put("createdAt", "2026-01-15T10:30:00Z")
                .put("userEmail", "developer@example.com"));
    }

    private void launch(RoutingContext ctx) {
        JsonObject body = ctx.body().asJsonObject();
        String text = body.getJsonObject("prompt", new JsonObject()).getString("text");
        String repository = body.getJsonObject("source", new JsonObject()).getString("repository");
        if (text == null || text.isBlank() || repository == null) {
            error(ctx, 400, "prompt.text and source.repository are required");
            return;
        }
        JsonObject webhook = body.getJsonObject("webhook");
        if (webhook != null && (webhook.getString("secret") == null || webhook.getString("secret").length() < 32)) {
            error(ctx, 400, "webhook.secret must be at least 32 characters");
            return;
        }
        JsonObject target = body.getJsonObject("target", new JsonObject());
        String id = "bc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String branch = target.getString("branchName", "cursor/agent-" + id);
        JsonObject agent = agent(id, text.lines().findFirst().orElse("agent"), repository,
                body.getJsonObject("source").getString("ref", "main"), branch, target.getBoolean("autoCreatePr", false));
        agents.put(id, agent);
        if (webhook != null) {
            webhooks.put(id, webhook.copy());
        }
        json(ctx, 200, agent.copy());
    }

    private void list(RoutingContext ctx) {
        int limit = Integer.parseInt(ctx.request().getParam("limit", "20"));
        int from = Integer.parseInt(ctx.request().getParam("cursor", "0"));
        List<JsonObject> newestFirst;
        synchronized (agents) {
            newestFirst = new ArrayList<>(agents.values());
        }
        Collections.reverse(newestFirst);
        List<JsonObject> page = newestFirst.subList(Math.min(from, newestFirst.size()), Math.min(from + limit, newestFirst.size()));
        JsonObject answer = new JsonObject().put("agents", new JsonArray(new ArrayList<>(page)));
        if (from + limit < newestFirst.size()) {
            answer.put("nextCursor", String.valueOf(from + limit));
        }
        json(ctx, 200, answer);
    }

    private void agent(RoutingContext ctx) {
        if (throttledReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            ctx.response().putHeader("Retry-After", "1");
            error(ctx, 429, "Too many requests");
            return;
        }
        JsonObject agent = agents.get(ctx.pathParam("id"));
        if (agent == null) {
            error(ctx, 404, "Agent not found");
            return;
        }
        JsonObject shown = agent.copy();
        shown.remove("stopped");
        json(ctx, 200, shown);
    }

    private void stop(RoutingContext ctx) {
        JsonObject agent = agents.get(ctx.pathParam("id"));
        if (agent == null) {
            error(ctx, 404, "Agent not found");
            return;
        }
        agent.put("stopped", true);
        json(ctx, 200, new JsonObject().put("id", ctx.pathParam("id")));
    }

    private static JsonObject agent(String id, String name, String repository, String ref, String branch, boolean autoCreatePr) {
        return new JsonObject().put("id", id).put("name", name).put("status", "CREATING")
                .put("source", new JsonObject().put("repository", repository).put("ref", ref))
                .put("target", new JsonObject().put("branchName", branch).put("url", "https://cursor.com/agents?id=" + id)
                        .put("autoCreatePr", autoCreatePr))
                .put("createdAt", Instant.now().toString());
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static void error(RoutingContext ctx, int status, String message) {
        json(ctx, status, new JsonObject().put("error", message));
    }
}
