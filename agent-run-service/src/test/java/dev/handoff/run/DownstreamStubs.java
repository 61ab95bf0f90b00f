package dev.handoff.run;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stands in for task-service ({@code GET /api/tasks/{id}/agent-context}) and provider-gateway
 * ({@code GET /api/agent-config}, listing the gateway's providers cursor and local), answering as CONTRACT.md says. Both require the caller's bearer token (401
 * without one) and read its {@code workspace} claim, as the real services do.
 * <p>
 * Conventions the tests rely on: a task id starting with {@value #MISSING_TASK} does not exist (404), one starting
 * with {@value #HANGING_TASK} never answers, one starting with {@value #BIG_TASK} has a brief of 3.5 MB (an agent
 * context over the 3 MiB a launch accepts). A workspace starting with {@code noconfig} has no agent configuration
 * (404), {@code disabled} a disabled one, {@code cursor} the Cursor provider, {@code gwdown} never answers; any
 * other workspace uses the local provider. Each context fetched carries a new sequence number in the task's
 * description, so a re-fetch is visible.
 */
public class DownstreamStubs implements QuarkusTestResourceLifecycleManager {

    public static final String MISSING_TASK = "00000404";
    public static final String HANGING_TASK = "0000dead";
    public static final String BIG_TASK = "0000b16c";
    /** The brief content of {@link #BIG_TASK}'s context: 3.5 MB. */
    static final int BIG_BRIEF_CHARS = 3_500_000;
    public static final String TASK_TITLE = "Add login page: OAuth & e-mail (v2)";
    public static final String TASK_SLUG = "add-login-page-oauth-e-mail-v2";
    public static final UUID BRIEF_ID = UUID.fromString("b0000000-0000-4000-8000-000000000001");

    private final AtomicLong fetches = new AtomicLong();
    private Vertx vertx;

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer().requestHandler(this::handle);
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("stub server did not start", e);
        }
        String url = "http://127.0.0.1:" + server.actualPort();
        return Map.of("quarkus.rest-client.task-service.url", url, "quarkus.rest-client.provider-gateway.url", url);
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close();
        }
    }

    private void handle(HttpServerRequest request) {
        String workspace = workspaceOf(request.getHeader("Authorization"));
        if (workspace == null) {
            problem(request, 401, "unauthorized");
            return;
        }
        String path = request.path();
        if (request.method().name().equals("GET") && path.matches("/api/tasks/[^/]+/agent-context")) {
            String taskId = path.split("/")[3];
            if (taskId.startsWith(HANGING_TASK)) {
                return; // never answers
            }
            if (taskId.startsWith(MISSING_TASK)) {
                problem(request, 404, "not-found");
                return;
            }
            JsonObject context = context(taskId, fetches.incrementAndGet());
            if (taskId.startsWith(BIG_TASK)) {
                context.getJsonObject("brief").put("content", "# Big\n" + "a".repeat(BIG_BRIEF_CHARS));
            }
            json(request, 200, context);
        } else if (request.method().name().equals("GET") && path.equals("/api/agent-config")) {
            if (workspace.startsWith("gwdown")) {
                return;
            }
            if (workspace.startsWith("noconfig")) {
                problem(request, 404, "not-found");
                return;
            }
            json(request, 200, new JsonObject()
                    .put("provider", workspace.startsWith("cursor") ? "cursor" : "local")
                    .put("enabled", !workspace.startsWith("disabled"))
                    .put("model", null)
                    .put("keyHint", workspace.startsWith("cursor") ? "...f3a9" : null)
                    .put("verifiedAt", "2026-11-25T10:15:30.123Z")
                    .put("updatedAt", "2026-11-25T10:15:30.123Z")
                    .put("providers", new JsonArray()
                            .add(new JsonObject().put("name", "cursor").put("keyRequired", true).put("fileRepositories", false)
                                    .put("activity", new JsonArray()))
                            .add(new JsonObject().put("name", "local").put("keyRequired", false).put("fileRepositories", true)
                                    .put("activity", new JsonArray()))));
        } else {
            problem(request, 404, "not-found");
        }
    }

    private static JsonObject context(String taskId, long fetch) {
        String now = "2026-11-25T10:15:30.123Z";
        JsonObject task = new JsonObject()
                .put("id", taskId)
                .put("briefId", BRIEF_ID.toString())
                .put("title", TASK_TITLE)
                .put("description", "Let users sign in. (fetch #" + fetch + ")")
                .put("acceptanceCriteria", new JsonArray().add("a user can sign in with GitHub").add("errors are shown"))
                .put("subtasks", new JsonArray().add(new JsonObject().put("id", UUID.randomUUID().toString())
                        .put("position", 1).put("title", "Login form").put("description", "The form")))
                .put("agentRun", null)
                .put("createdAt", now)
                .put("updatedAt", now);
        JsonObject brief = new JsonObject()
                .put("id", BRIEF_ID.toString())
                .put("title", "Accounts")
                .put("content", "# Accounts\nUsers need accounts.")
                .put("createdAt", now)
                .put("updatedAt", now);
        return new JsonObject().put("task", task).put("brief", brief);
    }

    /** The token's workspace claim (the signature was checked by the service that forwards it). */
    private static String workspaceOf(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        String[] parts = authorization.substring(7).split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            return claims.getString("workspace");
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void json(HttpServerRequest request, int status, JsonObject body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static void problem(HttpServerRequest request, int status, String code) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                .end(new JsonObject().put("status", status).put("code", code).put("title", code).encode());
    }
}
