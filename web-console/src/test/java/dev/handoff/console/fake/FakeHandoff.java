package dev.handoff.console.fake;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * In-memory stand-ins for the four services' HTTP APIs (task-service, agent-run-service, provider-gateway,
 * notification-service), each on its own port, answering the contract's JSON, codes and headers. Runs do not move by
 * themselves: a test moves them ({@link #status}, {@link #activity}, {@link #complete}) and every move is published on
 * the fake SSE stream as the real services would.
 */
public final class FakeHandoff {

    private static final Pattern REPOSITORY_URL = Pattern.compile("^(https://|ssh://|git@[^:/\\s]+:|file://)\\S+$");
    private static final Set<String> ACTIVE = Set.of("PENDING", "RUNNING");

    private final Vertx vertx = Vertx.vertx();
    private final List<HttpServer> servers = new ArrayList<>();
    public int tasksPort;
    public int runsPort;
    public int gatewayPort;
    public int notificationsPort;

    private final Map<String, JsonObject> briefs = new LinkedHashMap<>();
    private final Map<String, JsonObject> tasks = new LinkedHashMap<>();
    private final Map<String, JsonObject> runs = new LinkedHashMap<>();
    private final Map<String, JsonObject> configs = new LinkedHashMap<>();
    private final Map<String, JsonObject> pullRequests = new LinkedHashMap<>();
    private final Map<String, List<JsonObject>> activity = new LinkedHashMap<>();
    private final Map<String, Integer> versions = new LinkedHashMap<>();
    private final Map<String, JsonObject> idempotency = new LinkedHashMap<>();
    /** The Idempotency-Key of each follow-up created (null when none was sent). */
    public final List<String> followUps = new CopyOnWriteArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    private final Set<String> refusedTokens = new HashSet<>();
    /** Which service answered each path, in order (for the routing checks). */
    public final List<String> served = new CopyOnWriteArrayList<>();
    private volatile boolean refuseStreams;
    private volatile boolean activityEndpoint = true;

    private record Event(long id, String workspace, String taskId, String runId, String type, JsonObject data) {
    }

    private record Stream(String workspace, String taskId, String runId, HttpServerResponse response) {
    }

    public void start() throws Exception {
        tasksPort = listen("tasks", this::tasksRoutes);
        runsPort = listen("runs", this::runsRoutes);
        gatewayPort = listen("gateway", this::gatewayRoutes);
        notificationsPort = listen("notifications", this::notificationsRoutes);
        vertx.setPeriodic(15_000, id -> streams.forEach(s -> s.response().write(": heartbeat\n\n")));
    }

    public void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private int listen(String name, java.util.function.Consumer<Router> routes) throws Exception {
        Router router = Router.router(vertx);
        router.route().handler(ctx -> {
            served.add(name + " " + ctx.request().method() + " " + ctx.request().path());
            ctx.next();
        });
        router.route().handler(BodyHandler.create().setBodyLimit(2 * 1024 * 1024));
        routes.accept(router);
        router.route().handler(ctx -> problem(ctx, 404, "not-found", "No such endpoint"));
        HttpServer server = vertx.createHttpServer().requestHandler(router);
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        servers.add(server);
        return port;
    }

    // ---------------------------------------------------------------------------------------------- test controls

    /** From now on the services answer this token 401 (as for an expired one). */
    public synchronized void refuse(String token) {
        refusedTokens.add(token);
    }

    /** While set, new event streams are answered 503 (a notification-service restart). */
    public void refuseStreams(boolean refuse) {
        this.refuseStreams = refuse;
    }

    /** Ends every open event stream, as a replica going away does. */
    public void dropStreams() {
        for (Stream stream : streams) {
            streams.remove(stream);
            stream.response().reset();
        }
    }

    public int openStreams() {
        return streams.size();
    }

    /** Without it, GET /api/activity is 404 (an older notification-service). */
    public void activityEndpoint(boolean present) {
        this.activityEndpoint = present;
    }

    public synchronized JsonObject run(String runId) {
        return runs.get(runId).copy();
    }

    public synchronized List<JsonObject> runsOf(String taskId) {
        return runs.values().stream().filter(r -> r.getString("taskId").equals(taskId)).map(JsonObject::copy).toList();
    }

    public synchronized String latestRunId(String taskId) {
        String latest = null;
        for (JsonObject run : runs.values()) {
            if (run.getString("taskId").equals(taskId)) {
                latest = run.getString("id");
            }
        }
        return latest;
    }

    public synchronized String briefIdByTitle(String workspace, String title) {
        return briefs.values().stream().filter(b -> b.getString("workspaceId").equals(workspace) && b.getString("title").equals(title)).map(b -> b.getString("id")).findFirst().orElse(null);
    }

    public synchronized String taskIdByTitle(String workspace, String title) {
        return tasks.values().stream().filter(t -> t.getString("workspaceId").equals(workspace) && t.getString("title").equals(title)).map(t -> t.getString("id")).findFirst().orElse(null);
    }

    public synchronized JsonObject task(String id) {
        return tasks.get(id).copy();
    }

    public synchronized JsonObject config(String workspace) {
        JsonObject c = configs.get(workspace);
        return c == null ? null : c.copy();
    }

    /** Seeds a workspace's agent configuration (as an admin's PUT would). */
    public synchronized void configure(String workspace, String provider, boolean enabled) {
        configs.put(workspace, configView(new JsonObject().put("provider", provider).put("enabled", enabled)
                .put("agent", "local".equals(provider) ? "demo" : null), null));
    }

    public synchronized String seedBrief(String workspace, String title, String content) {
        JsonObject brief = newBrief(workspace, title, content);
        return brief.getString("id");
    }

    public synchronized String seedTask(String workspace, String briefId, String title) {
        return newTask(workspace, briefId, new JsonObject().put("title", title).put("description", "Make `greet` say hello.")
                .put("acceptanceCriteria", new JsonArray().add("greet() returns Hello")).put("subtasks", new JsonArray())).getString("id");
    }

    /** A run launched by someone else (another tab, curl): PENDING, published like one launched through the API. */
    public synchronized String launch(String workspace, String taskId, String repositoryUrl) {
        return newRun(workspace, tasks.get(taskId), repositoryUrl, "main", null, null, configs.get(workspace).getString("provider"), null)
                .getString("id");
    }

    /** A task with the given body ({title, description, acceptanceCriteria, subtasks}). */
    public synchronized String seedTask(String workspace, String briefId, JsonObject body) {
        return newTask(workspace, briefId, body).getString("id");
    }

    /** Moves a run to a status, as the run service does, and publishes run.status-changed. */
    public synchronized void status(String runId, String status, JsonObject error) {
        JsonObject run = runs.get(runId);
        String previous = run.getString("status");
        if (!ACTIVE.contains(previous)) {
            return;
        }
        String now = now();
        run.put("status", status);
        if ("RUNNING".equals(status)) {
            run.put("startedAt", now).put("providerRunId", "local-" + runId.substring(0, 8));
        }
        if (!ACTIVE.contains(status)) {
            run.put("finishedAt", now);
            if (run.getString("startedAt") == null) {
                run.put("startedAt", now);
            }
        }
        if (error != null) {
            run.put("error", error);
        }
        run.getJsonArray("history").add(new JsonObject().put("status", status).put("at", now).put("detail", null));
        int version = versions.merge(runId, 1, Integer::sum);
        JsonObject task = tasks.get(run.getString("taskId"));
        task.put("agentRun", new JsonObject().put("runId", runId).put("status", status)
                .put("pullRequestUrl", run.getJsonObject("pullRequest") == null ? null : run.getJsonObject("pullRequest").getString("url"))
                .put("updatedAt", now));
        publish(run.getString("workspaceId"), run.getString("taskId"), runId, "run.status-changed", new JsonObject()
                .put("eventId", UUID.randomUUID().toString()).put("occurredAt", now).put("workspaceId", run.getString("workspaceId"))
                .put("runId", runId).put("taskId", run.getString("taskId")).put("previousStatus", previous).put("status", status)
                .put("version", version).put("detail", null).put("error", error));
    }

    /** Publishes run.activity entries (numbered on from the run's last seq), as the gateway does. */
    public synchronized void activity(String runId, String kind, String... texts) {
        publish(runId, activityEvent(runId, kind, texts));
    }

    /**
     * Keeps activity entries (GET /api/activity answers them) without delivering them on any stream: what a client
     * that was disconnected while they happened cannot get replayed (the stream's replay window lost them).
     */
    public synchronized void activityNotReplayed(String runId, String kind, String... texts) {
        activityEvent(runId, kind, texts);
    }

    private void publish(String runId, JsonObject activityEvent) {
        JsonObject run = runs.get(runId);
        publish(run.getString("workspaceId"), run.getString("taskId"), runId, "run.activity", activityEvent);
    }

    private JsonObject activityEvent(String runId, String kind, String... texts) {
        JsonObject run = runs.get(runId);
        List<JsonObject> kept = activity.computeIfAbsent(runId, k -> new ArrayList<>());
        JsonArray entries = new JsonArray();
        for (String text : texts) {
            JsonObject entry = new JsonObject().put("seq", kept.size() + 1).put("at", now()).put("kind", kind).put("text", text);
            kept.add(entry);
            entries.add(entry);
        }
        return new JsonObject()
                .put("eventId", UUID.randomUUID().toString()).put("occurredAt", now()).put("workspaceId", run.getString("workspaceId"))
                .put("runId", runId).put("taskId", run.getString("taskId")).put("provider", run.getString("provider"))
                .put("entries", entries);
    }

    /** The usage the provider reported for a run ({durationMs, inputTokens, outputTokens, costUsd}, each may be null). */
    public synchronized void usage(String runId, Long durationMs, Long inputTokens, Long outputTokens, Double costUsd) {
        runs.get(runId).put("usage", new JsonObject().put("durationMs", durationMs).put("inputTokens", inputTokens)
                .put("outputTokens", outputTokens).put("costUsd", costUsd));
    }

    /** Completes a run with a local pull request (its diff from the gateway), as the local provider does. */
    public synchronized void complete(String runId, String diff) {
        JsonObject run = runs.get(runId);
        String prId = UUID.randomUUID().toString();
        String url = "http://127.0.0.1:" + gatewayPort + "/api/pull-requests/" + prId;
        pullRequests.put(prId, new JsonObject().put("id", prId).put("runId", runId).put("workspaceId", run.getString("workspaceId"))
                .put("repositoryUrl", run.getString("repositoryUrl")).put("base", run.getString("branch"))
                .put("head", run.getString("targetBranch")).put("title", "Greeter: say hello")
                .put("body", "Implements the task.\n\nAcceptance criteria met.")
                .put("commits", new JsonArray().add(new JsonObject().put("sha", "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39")
                        .put("author", "Handoff agent").put("message", "Make greet say hello")))
                .put("diffStat", " src/greet.py | 3 ++-\n 1 file changed, 2 insertions(+), 1 deletion(-)").put("diff", diff));
        run.put("pullRequest", new JsonObject().put("url", url).put("branch", run.getString("targetBranch")));
        run.put("summary", "Changed greet() to return \"Hello\" and added a test.");
        if (run.getValue("usage") == null) {
            run.put("usage", new JsonObject().putNull("durationMs").put("inputTokens", 1200).put("outputTokens", 340).put("costUsd", null));
        }
        status(runId, "COMPLETED", null);
        publish(run.getString("workspaceId"), run.getString("taskId"), runId, "run.pull-request-opened", new JsonObject()
                .put("eventId", UUID.randomUUID().toString()).put("occurredAt", now()).put("workspaceId", run.getString("workspaceId"))
                .put("runId", runId).put("taskId", run.getString("taskId")).put("url", url)
                .put("branch", run.getString("targetBranch")).put("title", "Greeter: say hello"));
    }

    // ---------------------------------------------------------------------------------------------- task-service

    private void tasksRoutes(Router r) {
        r.post("/api/briefs").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject body = jsonBody(ctx);
            if (body == null) {
                return;
            }
            List<JsonObject> violations = new ArrayList<>();
            checkTitle(body.getValue("title"), "title", violations);
            if (!violations.isEmpty()) {
                validation(ctx, violations);
                return;
            }
            JsonObject brief = newBrief(ws, body.getString("title"), body.getString("content", ""));
            ctx.response().putHeader("Location", "http://127.0.0.1:" + tasksPort + "/api/briefs/" + brief.getString("id"));
            json(ctx, 201, view(brief), etag(brief));
        }));
        r.get("/api/briefs").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            List<JsonObject> mine = briefs.values().stream().filter(b -> ws.equals(b.getString("workspaceId"))).toList();
            page(ctx, "/api/briefs", mine, b -> {
                JsonObject item = view(b);
                item.remove("content");
                item.put("contentLength", b.getString("content").length());
                return item;
            });
        }));
        r.get("/api/briefs/:id").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject brief = owned(briefs, ctx.pathParam("id"), ws);
            if (brief == null) {
                notFound(ctx, "brief");
                return;
            }
            json(ctx, 200, view(brief), etag(brief));
        }));
        r.put("/api/briefs/:id").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject brief = owned(briefs, ctx.pathParam("id"), ws);
            if (brief == null) {
                notFound(ctx, "brief");
                return;
            }
            if (stale(ctx, brief)) {
                return;
            }
            JsonObject body = jsonBody(ctx);
            if (body == null) {
                return;
            }
            List<JsonObject> violations = new ArrayList<>();
            checkTitle(body.getValue("title"), "title", violations);
            if (!violations.isEmpty()) {
                validation(ctx, violations);
                return;
            }
            brief.put("title", body.getString("title")).put("content", body.getString("content", "")).put("updatedAt", now());
            bump(brief);
            json(ctx, 200, view(brief), etag(brief));
        }));
        r.delete("/api/briefs/:id").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject brief = owned(briefs, ctx.pathParam("id"), ws);
            if (brief == null) {
                notFound(ctx, "brief");
                return;
            }
            if (stale(ctx, brief)) {
                return;
            }
            briefs.remove(brief.getString("id"));
            tasks.values().removeIf(t -> t.getString("briefId").equals(brief.getString("id")));
            ctx.response().setStatusCode(204).end();
        }));
        r.post("/api/briefs/:id/tasks/import").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject brief = owned(briefs, ctx.pathParam("id"), ws);
            if (brief == null) {
                notFound(ctx, "brief");
                return;
            }
            JsonObject body = jsonBody(ctx);
            if (body == null) {
                return;
            }
            JsonArray list = body.getJsonArray("tasks");
            if (list == null && body.size() == 1 && body.getValue(body.fieldNames().iterator().next()) instanceof JsonObject tagged) {
                list = tagged.getJsonArray("tasks");
            }
            if (list == null) {
                validation(ctx, List.of(new JsonObject().put("field", "tasks").put("message", "a Task Master tasks.json has a tasks array")));
                return;
            }
            JsonArray created = new JsonArray();
            for (Object o : list) {
                JsonObject tm = (JsonObject) o;
                String description = tm.getString("description", "") + (tm.getString("details") == null ? "" : "\n\n" + tm.getString("details"));
                JsonArray subtasks = new JsonArray();
                for (Object s : tm.getJsonArray("subtasks", new JsonArray())) {
                    JsonObject sub = (JsonObject) s;
                    subtasks.add(new JsonObject().put("title", sub.getString("title")).put("description", sub.getString("description", "")));
                }
                JsonArray criteria = new JsonArray();
                if (tm.getString("testStrategy") != null) {
                    criteria.add(tm.getString("testStrategy"));
                }
                created.add(view(newTask(ws, brief.getString("id"), new JsonObject().put("title", tm.getString("title"))
                        .put("description", description).put("acceptanceCriteria", criteria).put("subtasks", subtasks))));
            }
            json(ctx, 201, new JsonObject().put("imported", created.size()).put("tasks", created), null);
        }));
        r.post("/api/briefs/:id/tasks").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject brief = owned(briefs, ctx.pathParam("id"), ws);
            if (brief == null) {
                notFound(ctx, "brief");
                return;
            }
            JsonObject body = jsonBody(ctx);
            if (body == null) {
                return;
            }
            List<JsonObject> violations = new ArrayList<>();
            checkTitle(body.getValue("title"), "title", violations);
            if (!violations.isEmpty()) {
                validation(ctx, violations);
                return;
            }
            JsonObject task = newTask(ws, brief.getString("id"), body);
            ctx.response().putHeader("Location", "http://127.0.0.1:" + tasksPort + "/api/tasks/" + task.getString("id"));
            json(ctx, 201, view(task), etag(task));
        }));
        r.get("/api/briefs/:id/tasks").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject brief = owned(briefs, ctx.pathParam("id"), ws);
            if (brief == null) {
                notFound(ctx, "brief");
                return;
            }
            page(ctx, "/api/briefs/" + brief.getString("id") + "/tasks",
                    tasks.values().stream().filter(t -> t.getString("briefId").equals(brief.getString("id"))).toList(), this::view);
        }));
        r.get("/api/tasks/:id").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject task = owned(tasks, ctx.pathParam("id"), ws);
            if (task == null) {
                notFound(ctx, "task");
                return;
            }
            json(ctx, 200, view(task), etag(task));
        }));
        r.put("/api/tasks/:id").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject task = owned(tasks, ctx.pathParam("id"), ws);
            if (task == null) {
                notFound(ctx, "task");
                return;
            }
            if (stale(ctx, task)) {
                return;
            }
            JsonObject body = jsonBody(ctx);
            if (body == null) {
                return;
            }
            List<JsonObject> violations = new ArrayList<>();
            checkTitle(body.getValue("title"), "title", violations);
            JsonArray subtasks = body.getJsonArray("subtasks", new JsonArray());
            for (int i = 0; i < subtasks.size(); i++) {
                checkTitle(subtasks.getJsonObject(i).getValue("title"), "subtasks[" + i + "].title", violations);
            }
            if (!violations.isEmpty()) {
                validation(ctx, violations);
                return;
            }
            task.put("title", body.getString("title")).put("description", body.getString("description", ""))
                    .put("acceptanceCriteria", body.getJsonArray("acceptanceCriteria", new JsonArray()))
                    .put("subtasks", subtasks(body.getJsonArray("subtasks", new JsonArray()))).put("updatedAt", now());
            bump(task);
            json(ctx, 200, view(task), etag(task));
        }));
        r.delete("/api/tasks/:id").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject task = owned(tasks, ctx.pathParam("id"), ws);
            if (task == null) {
                notFound(ctx, "task");
                return;
            }
            tasks.remove(task.getString("id"));
            ctx.response().setStatusCode(204).end();
        }));
        r.get("/api/tasks/:id/agent-context").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject task = owned(tasks, ctx.pathParam("id"), ws);
            if (task == null) {
                notFound(ctx, "task");
                return;
            }
            json(ctx, 200, new JsonObject().put("task", view(task)).put("brief", view(briefs.get(task.getString("briefId")))), null);
        }));
    }

    private synchronized JsonObject newBrief(String ws, String title, String content) {
        String now = now();
        JsonObject brief = new JsonObject().put("id", UUID.randomUUID().toString()).put("workspaceId", ws).put("title", title)
                .put("content", content == null ? "" : content).put("createdAt", now).put("updatedAt", now).put("rev", 1);
        briefs.put(brief.getString("id"), brief);
        return brief;
    }

    private synchronized JsonObject newTask(String ws, String briefId, JsonObject body) {
        String now = now();
        JsonObject task = new JsonObject().put("id", UUID.randomUUID().toString()).put("workspaceId", ws).put("briefId", briefId)
                .put("title", body.getString("title")).put("description", body.getString("description", ""))
                .put("acceptanceCriteria", body.getJsonArray("acceptanceCriteria", new JsonArray()))
                .put("subtasks", subtasks(body.getJsonArray("subtasks", new JsonArray()))).putNull("agentRun")
                .put("createdAt", now).put("updatedAt", now).put("rev", 1);
        tasks.put(task.getString("id"), task);
        return task;
    }

    private static JsonArray subtasks(JsonArray in) {
        JsonArray out = new JsonArray();
        for (int i = 0; i < in.size(); i++) {
            JsonObject s = in.getJsonObject(i);
            out.add(new JsonObject().put("id", s.getString("id", UUID.randomUUID().toString())).put("position", i + 1)
                    .put("title", s.getString("title")).put("description", s.getString("description", "")));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------- agent-run-service

    private void runsRoutes(Router r) {
        r.post("/api/tasks/:id/runs").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject task = owned(tasks, ctx.pathParam("id"), ws);
            if (task == null) {
                notFound(ctx, "task");
                return;
            }
            JsonObject body = jsonBody(ctx);
            if (body == null) {
                return;
            }
            List<JsonObject> violations = new ArrayList<>();
            String url = body.getValue("repositoryUrl") instanceof String s ? s : null;
            if (url == null || !REPOSITORY_URL.matcher(url).matches()) {
                violations.add(violation("repositoryUrl", "must be an https://, ssh://, git@host:path or file:// repository URL"));
            }
            String branch = body.getValue("branch") instanceof String s ? s : null;
            if (branch == null || branch.isBlank()) {
                violations.add(violation("branch", "is required"));
            }
            if (branch != null && branch.equals(body.getString("targetBranch"))) {
                violations.add(violation("targetBranch", "must differ from branch"));
            }
            if (!violations.isEmpty()) {
                validation(ctx, violations);
                return;
            }
            JsonObject config = configs.get(ws);
            if (config == null) {
                problem(ctx, 422, "agents-not-configured", "No background agent is configured for this workspace.");
                return;
            }
            if (!config.getBoolean("enabled")) {
                problem(ctx, 422, "agents-disabled", "Background agents are disabled for this workspace.");
                return;
            }
            String provider = body.getString("provider", config.getString("provider"));
            if (!provider.equals(config.getString("provider"))) {
                problem(ctx, 422, "provider-not-enabled", "The provider " + provider + " is not enabled for this workspace.");
                return;
            }
            if (activeRun(task.getString("id")) != null) {
                conflictActive(ctx, activeRun(task.getString("id")));
                return;
            }
            JsonObject run = newRun(ws, task, body.getString("repositoryUrl"), branch, body.getString("targetBranch"),
                    body.getString("instructions"), provider, null);
            ctx.response().putHeader("Location", "http://127.0.0.1:" + runsPort + "/api/runs/" + run.getString("id"));
            json(ctx, 201, runView(run), null);
        }));
        r.get("/api/tasks/:id/runs").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject task = owned(tasks, ctx.pathParam("id"), ws);
            if (task == null) {
                notFound(ctx, "task");
                return;
            }
            List<JsonObject> list = new ArrayList<>(runs.values().stream().filter(x -> x.getString("taskId").equals(task.getString("id"))).toList());
            java.util.Collections.reverse(list);
            page(ctx, "/api/tasks/" + task.getString("id") + "/runs", list, this::runView);
        }));
        r.get("/api/runs").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            String status = ctx.request().getParam("status");
            page(ctx, "/api/runs", runs.values().stream().filter(x -> ws.equals(x.getString("workspaceId")))
                    .filter(x -> status == null || status.equals(x.getString("status"))).toList(), this::runView);
        }));
        r.get("/api/runs/:id").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject run = owned(runs, ctx.pathParam("id"), ws);
            if (run == null) {
                notFound(ctx, "run");
                return;
            }
            json(ctx, 200, runView(run), null);
        }));
        r.post("/api/runs/:id/cancel").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject run = owned(runs, ctx.pathParam("id"), ws);
            if (run == null) {
                notFound(ctx, "run");
                return;
            }
            if (!ACTIVE.contains(run.getString("status"))) {
                problem(ctx, 409, "run-not-cancellable", "The run is already " + run.getString("status") + ".");
                return;
            }
            status(run.getString("id"), "CANCELLED", null);
            json(ctx, 200, runView(run), null);
        }));
        r.post("/api/runs/:id/retry").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject run = owned(runs, ctx.pathParam("id"), ws);
            if (run == null) {
                notFound(ctx, "run");
                return;
            }
            if (activeRun(run.getString("taskId")) != null) {
                conflictActive(ctx, activeRun(run.getString("taskId")));
                return;
            }
            JsonObject retry = newRun(ws, tasks.get(run.getString("taskId")), run.getString("repositoryUrl"), run.getString("branch"),
                    null, run.getString("instructions"), run.getString("provider"), null);
            json(ctx, 201, runView(retry), null);
        }));
        r.post("/api/runs/:id/followups").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject run = owned(runs, ctx.pathParam("id"), ws);
            if (run == null) {
                notFound(ctx, "run");
                return;
            }
            JsonObject body = jsonBody(ctx);
            if (body == null) {
                return;
            }
            String instructions = body.getValue("instructions") instanceof String s ? s : null;
            if (instructions == null || instructions.isBlank() || instructions.length() > 10_000) {
                validation(ctx, List.of(violation("instructions", "must be 1-10,000 characters")));
                return;
            }
            String key = ctx.request().getHeader("Idempotency-Key");
            String keyId = key == null ? null : ws + " followup " + run.getString("id") + " " + key;
            if (keyId != null && idempotency.containsKey(keyId)) {
                JsonObject earlier = idempotency.get(keyId);
                if (!earlier.getString("body").equals(body.encode())) {
                    problem(ctx, 422, "idempotency-key-reused", "This Idempotency-Key was used with another body.");
                    return;
                }
                json(ctx, 200, runView(runs.get(earlier.getString("runId"))), null);
                return;
            }
            if (activeRun(run.getString("taskId")) != null) {
                conflictActive(ctx, activeRun(run.getString("taskId")));
                return;
            }
            if (!run.getString("id").equals(latestRunId(run.getString("taskId"))) || run.getJsonObject("pullRequest") == null) {
                problem(ctx, 409, "run-not-followable", "Only the task's latest run with a pushed branch can be followed up.");
                return;
            }
            JsonObject follow = newRun(ws, tasks.get(run.getString("taskId")), run.getString("repositoryUrl"), run.getString("branch"),
                    run.getString("targetBranch"), instructions, run.getString("provider"), run.getString("id"));
            follow.put("pullRequest", null);
            if (keyId != null) {
                idempotency.put(keyId, new JsonObject().put("body", body.encode()).put("runId", follow.getString("id")));
            }
            followUps.add(ctx.request().getHeader("Idempotency-Key"));
            json(ctx, 201, runView(follow), null);
        }));
    }

    private JsonObject activeRun(String taskId) {
        return runs.values().stream().filter(x -> x.getString("taskId").equals(taskId) && ACTIVE.contains(x.getString("status")))
                .findFirst().orElse(null);
    }

    private void conflictActive(RoutingContext ctx, JsonObject active) {
        JsonObject p = problemBody(409, "run-already-active", "The task already has an active run.").put("activeRunId", active.getString("id"));
        send(ctx, 409, p);
    }

    private JsonObject newRun(String ws, JsonObject task, String url, String branch, String target, String instructions,
            String provider, String followUpOf) {
        String id = UUID.randomUUID().toString();
        String now = now();
        String slug = task.getString("title").toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        JsonObject run = new JsonObject().put("id", id).put("workspaceId", ws).put("taskId", task.getString("id")).put("status", "PENDING")
                .put("provider", provider).put("repositoryUrl", url).put("branch", branch)
                .put("targetBranch", target != null && !target.isBlank() ? target : "handoff/" + slug + "-" + id.substring(0, 8))
                .put("instructions", instructions).putNull("providerRunId").putNull("providerUrl").putNull("pullRequest")
                .putNull("summary").putNull("error").put("createdAt", now).putNull("startedAt").putNull("finishedAt")
                .put("history", new JsonArray().add(new JsonObject().put("status", "PENDING").put("at", now).putNull("detail")))
                .put("followUpOf", followUpOf).putNull("usage");
        runs.put(id, run);
        versions.put(id, 1);
        task.put("agentRun", new JsonObject().put("runId", id).put("status", "PENDING").putNull("pullRequestUrl").put("updatedAt", now));
        publish(ws, task.getString("id"), id, "run.status-changed", new JsonObject().put("eventId", UUID.randomUUID().toString())
                .put("occurredAt", now).put("workspaceId", ws).put("runId", id).put("taskId", task.getString("id"))
                .putNull("previousStatus").put("status", "PENDING").put("version", 1).putNull("detail").putNull("error"));
        return run;
    }

    private JsonObject runView(JsonObject run) {
        JsonObject view = run.copy();
        view.remove("workspaceId");
        return view;
    }

    // ---------------------------------------------------------------------------------------------- provider-gateway

    private void gatewayRoutes(Router r) {
        r.get("/api/agent-config").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject config = configs.get(ws);
            if (config == null) {
                notFound(ctx, "agent configuration");
                return;
            }
            json(ctx, 200, publicConfig(config), null);
        }));
        r.put("/api/agent-config").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            if (!admin) {
                problem(ctx, 403, "forbidden", "Only workspace admins configure agents.");
                return;
            }
            JsonObject body = jsonBody(ctx);
            if (body == null) {
                return;
            }
            String provider = body.getValue("provider") instanceof String s ? s : null;
            if (!"cursor".equals(provider) && !"local".equals(provider)) {
                validation(ctx, List.of(violation("provider", "must be cursor or local")));
                return;
            }
            if (!(body.getValue("enabled") instanceof Boolean)) {
                validation(ctx, List.of(violation("enabled", "is required (true or false)")));
                return;
            }
            String agent = body.getString("agent");
            if (agent != null && !List.of("demo", "claude-code").contains(agent)) {
                validation(ctx, List.of(violation("agent", "must be one of the operator's agents: demo, claude-code")));
                return;
            }
            JsonObject previous = configs.get(ws);
            String key = body.getString("apiKey");
            if ("cursor".equals(provider) && key == null && (previous == null || previous.getString("keyHint") == null)) {
                validation(ctx, List.of(violation("apiKey", "is required for the cursor provider")));
                return;
            }
            if (key != null && key.startsWith("bad")) {
                problem(ctx, 422, "provider-rejected-key", "The provider refused the API key (401 from GET /v0/me).");
                return;
            }
            JsonObject config = configView(body, previous);
            configs.put(ws, config);
            json(ctx, 200, publicConfig(config), null);
        }));
        r.get("/api/pull-requests/:id").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            JsonObject pr = owned(pullRequests, ctx.pathParam("id"), ws);
            if (pr == null) {
                notFound(ctx, "pull request");
                return;
            }
            JsonObject view = pr.copy();
            view.remove("workspaceId");
            json(ctx, 200, view, null);
        }));
    }

    private static JsonObject configView(JsonObject body, JsonObject previous) {
        String key = body.getString("apiKey");
        String gitToken = body.getString("gitToken");
        String provider = body.getString("provider");
        return new JsonObject().put("provider", provider).put("enabled", body.getBoolean("enabled"))
                .put("agent", "local".equals(provider) ? body.getString("agent", "demo") : null)
                .put("agents", "local".equals(provider) ? new JsonArray().add("demo").add("claude-code") : null)
                .put("model", body.getString("model"))
                .put("keyHint", key != null ? "..." + key.substring(Math.max(0, key.length() - 4)) : previous == null ? null : previous.getString("keyHint"))
                .put("gitTokenHint", gitToken != null ? "..." + gitToken.substring(Math.max(0, gitToken.length() - 4))
                        : previous == null ? null : previous.getString("gitTokenHint"))
                .put("verifiedAt", key != null && "cursor".equals(provider) ? now() : null).put("updatedAt", now())
                .put("secretKey", key)
                .put("secretGitToken", gitToken != null ? gitToken : previous == null ? null : previous.getString("secretGitToken"));
    }

    private static JsonObject publicConfig(JsonObject config) {
        JsonObject view = config.copy();
        view.remove("secretKey");
        view.remove("secretGitToken");
        return view;
    }

    // ---------------------------------------------------------------------------------------------- notification-service

    private void notificationsRoutes(Router r) {
        r.get("/api/events").handler(ctx -> {
            String token = bearer(ctx);
            if (token == null) {
                token = ctx.request().getParam("access_token");
            }
            JsonObject claims = caller(token);
            if (claims == null) {
                problem(ctx, 401, "unauthorized", "A valid bearer token is required.");
                return;
            }
            if (refuseStreams) {
                problem(ctx, 503, "unavailable", "Restarting");
                return;
            }
            String last = ctx.request().getHeader("Last-Event-ID");
            if (last == null || last.isBlank()) {
                last = ctx.request().getParam("lastEventId");
            }
            long after = last == null || last.isBlank() ? -1 : Long.parseLong(last.trim());
            HttpServerResponse response = ctx.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
                    .putHeader("Cache-Control", "no-cache");
            response.write(": connected\n\n");
            Stream stream = new Stream(claims.getString("workspace"), ctx.request().getParam("taskId"), ctx.request().getParam("runId"), response);
            synchronized (this) {
                if (after >= 0) {
                    for (Event event : events) {
                        if (event.id() > after) {
                            deliver(stream, event);
                        }
                    }
                }
                streams.add(stream);
            }
            response.closeHandler(v -> streams.remove(stream));
        });
        r.get("/api/activity").handler(ctx -> withCaller(ctx, (ws, admin) -> {
            if (!activityEndpoint) {
                problem(ctx, 404, "not-found", "No such endpoint");
                return;
            }
            List<JsonObject> violations = new ArrayList<>();
            String runId = ctx.request().getParam("runId");
            if (runId == null || !runId.matches("[0-9a-f-]{36}")) {
                violations.add(violation("runId", "must be a run id"));
            }
            int after = number(ctx, "after", 0, 0, Integer.MAX_VALUE, violations);
            int limit = number(ctx, "limit", 50, 1, 200, violations);
            if (!violations.isEmpty()) {
                validation(ctx, violations);
                return;
            }
            JsonObject run = owned(runs, runId, ws);
            if (run == null) {
                notFound(ctx, "run");
                return;
            }
            JsonArray out = new JsonArray();
            for (JsonObject entry : activity.getOrDefault(run.getString("id"), List.of())) {
                if (entry.getInteger("seq") > after && out.size() < limit) {
                    out.add(entry);
                }
            }
            json(ctx, 200, out, null);
        }));
        r.route("/api/webhooks*").handler(ctx -> withCaller(ctx, (ws, admin) -> json(ctx, 200, new JsonArray(), null)));
    }

    private synchronized void publish(String ws, String taskId, String runId, String type, JsonObject data) {
        Event event = new Event(events.size() + 1, ws, taskId, runId, type, data);
        events.add(event);
        for (Stream stream : streams) {
            deliver(stream, event);
        }
    }

    private static void deliver(Stream stream, Event event) {
        if (!stream.workspace().equals(event.workspace())
                || stream.taskId() != null && !stream.taskId().equals(event.taskId())
                || stream.runId() != null && !stream.runId().equals(event.runId())) {
            return;
        }
        stream.response().write("id: " + event.id() + "\nevent: " + event.type() + "\ndata: " + event.data().encode() + "\n\n");
    }

    // ---------------------------------------------------------------------------------------------- HTTP helpers

    private interface CallerHandler {
        void handle(String workspace, boolean admin);
    }

    private void withCaller(RoutingContext ctx, CallerHandler handler) {
        JsonObject claims = caller(bearer(ctx));
        if (claims == null) {
            problem(ctx, 401, "unauthorized", "A valid bearer token is required.");
            return;
        }
        synchronized (this) {
            handler.handle(claims.getString("workspace"), claims.getJsonArray("groups", new JsonArray()).contains("admin"));
        }
    }

    private synchronized JsonObject caller(String token) {
        JsonObject claims = Tokens.claims(token);
        if (claims == null || refusedTokens.contains(token) || claims.getString("workspace") == null
                || claims.getLong("exp", 0L) < Instant.now().getEpochSecond()) {
            return null;
        }
        return claims;
    }

    private static String bearer(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        return header != null && header.startsWith("Bearer ") ? header.substring(7) : null;
    }

    private static JsonObject owned(Map<String, JsonObject> map, String id, String ws) {
        JsonObject found = id == null ? null : map.get(id);
        return found != null && ws.equals(found.getString("workspaceId")) ? found : null;
    }

    private JsonObject view(JsonObject entity) {
        JsonObject view = entity.copy();
        view.remove("workspaceId");
        view.remove("rev");
        return view;
    }

    private static String etag(JsonObject entity) {
        return "\"" + entity.getString("id").substring(0, 8) + "-" + entity.getInteger("rev") + "\"";
    }

    private static void bump(JsonObject entity) {
        entity.put("rev", entity.getInteger("rev") + 1);
    }

    /** Another tab's edit: the entity's ETag moves on without the console knowing. */
    public synchronized void touchTask(String id, String title) {
        JsonObject task = tasks.get(id);
        task.put("title", title).put("updatedAt", now());
        bump(task);
    }

    private boolean stale(RoutingContext ctx, JsonObject entity) {
        String ifMatch = ctx.request().getHeader("If-Match");
        if (ifMatch != null && !ifMatch.equals(etag(entity))) {
            problem(ctx, 412, "precondition-failed", "The resource changed since it was read (If-Match " + ifMatch + ").");
            return true;
        }
        return false;
    }

    private static void checkTitle(Object title, String field, List<JsonObject> violations) {
        if (!(title instanceof String s) || s.isBlank() || s.length() > 200) {
            violations.add(violation(field, "must be 1-200 characters"));
        }
    }

    /** A whole-number query parameter within bounds, or a violation. */
    private static int number(RoutingContext ctx, String name, int absent, int min, int max, List<JsonObject> violations) {
        String raw = ctx.request().getParam(name);
        if (raw == null) {
            return absent;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        violations.add(violation(name, "must be a number from " + min + " to " + max));
        return absent;
    }

    private static JsonObject violation(String field, String message) {
        return new JsonObject().put("field", field).put("message", message);
    }

    private <T> void page(RoutingContext ctx, String path, List<JsonObject> all, java.util.function.Function<JsonObject, JsonObject> view) {
        int limit;
        int from;
        try {
            limit = Integer.parseInt(ctx.request().getParam("limit", "50"));
            String cursor = ctx.request().getParam("cursor");
            from = cursor == null ? 0 : Integer.parseInt(new String(Base64.getUrlDecoder().decode(cursor)));
        } catch (RuntimeException e) {
            validation(ctx, List.of(violation("limit", "must be 1-200")));
            return;
        }
        if (limit < 1 || limit > 200) {
            validation(ctx, List.of(violation("limit", "must be 1-200")));
            return;
        }
        JsonArray out = new JsonArray();
        for (int i = from; i < Math.min(all.size(), from + limit); i++) {
            out.add(view.apply(all.get(i)));
        }
        if (from + limit < all.size()) {
            String next = Base64.getUrlEncoder().withoutPadding().encodeToString(String.valueOf(from + limit).getBytes());
            ctx.response().putHeader("Link", "<" + path + "?limit=" + limit + "&cursor=" + next + ">; rel=\"next\"");
        }
        json(ctx, 200, out, null);
    }

    private static JsonObject jsonBody(RoutingContext ctx) {
        try {
            Object parsed = ctx.body().asJsonObject();
            if (parsed == null) {
                throw new DecodeException("empty");
            }
            return (JsonObject) parsed;
        } catch (RuntimeException e) {
            validation(ctx, List.of(violation("body", "must be a JSON object")));
            return null;
        }
    }

    private static void json(RoutingContext ctx, int status, Object body, String etag) {
        if (etag != null) {
            ctx.response().putHeader("ETag", etag);
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(body instanceof JsonArray a ? a.encode() : ((JsonObject) body).encode());
    }

    private static void notFound(RoutingContext ctx, String what) {
        problem(ctx, 404, "not-found", "No such " + what + " in this workspace.");
    }

    private static void validation(RoutingContext ctx, List<JsonObject> violations) {
        send(ctx, 400, problemBody(400, "validation-failed", "The request is not valid: "
                + violations.stream().map(v -> v.getString("field") + " " + v.getString("message")).reduce((a, b) -> a + "; " + b).orElse(""))
                .put("violations", new JsonArray(violations)));
    }

    private static void problem(RoutingContext ctx, int status, String code, String detail) {
        send(ctx, status, problemBody(status, code, detail));
    }

    private static JsonObject problemBody(int status, String code, String detail) {
        return new JsonObject().put("type", "https://handoff.dev/problems/" + code).put("title", code.replace('-', ' '))
                .put("status", status).put("detail", detail).put("code", code);
    }

    private static void send(RoutingContext ctx, int status, JsonObject problem) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json").end(problem.encode());
    }

    private static String now() {
        return Instant.now().toString();
    }
}
