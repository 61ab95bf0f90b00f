package dev.handoff.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Stands in for Cursor's Cloud Agents API v1 (public beta) as published (https://cursor.com/docs/cloud-agent/api/endpoints
 * and its OpenAPI): Basic auth with the key as user name and an empty password, or {@code Bearer <key>};
 * {@code GET /v1/me}; {@code POST /v1/agents} ({@code prompt.text} required, {@code model.id}, {@code repos[].url|startingRef},
 * {@code workOnCurrentBranch}, {@code autoCreatePR}, {@code agentId} of the form {@code bc-<uuid>}: 409
 * {@code agent_id_conflict} when it exists, 400 with {@code envVars}; answers 201 {@code {agent, run}} with the run
 * CREATING); {@code GET /v1/agents/{id}} ({@code latestRunId}); {@code POST /v1/agents/{id}/runs} (409 {@code agent_busy}
 * while a run is CREATING or RUNNING; 201 {@code {run}}); {@code GET /v1/agents/{id}/runs/{runId}} ({@code result},
 * {@code durationMs}, {@code git.branches[]} once ended); {@code POST .../runs/{runId}/cancel} (200 {@code {id}}, 409
 * {@code run_not_cancellable} once ended); {@code GET .../runs/{runId}/stream}: Server-Sent Events {@code status} (the
 * leading one without an id, re-sent on every connect), {@code assistant} (text deltas), {@code tool_call}
 * ({@code callId, name, status: running|completed, args, result}), {@code result} and {@code done}, each with an id of
 * the form {@code <millis>-<n>}; {@code Last-Event-ID} resumes after that event (400 {@code invalid_last_event_id} for
 * an id not of the run); header {@code X-Cursor-Stream-Retention-Seconds}; 410 {@code stream_expired} once expired;
 * {@code GET /v1/agents/{id}/usage?runId=} ({@code totalUsage}, {@code runs[].usage} with
 * {@code inputTokens, outputTokens, cacheWriteTokens, cacheReadTokens, totalTokens}). Errors are
 * {@code {"error": {"code", "message"}}}.
 *
 * <p>Assumptions where the page says nothing: creates answer 201; an unknown agent or run is 404 {@code agent_not_found}
 * / {@code run_not_found}; the stream ends after {@code done}; webhooks do not exist in v1.
 *
 * <p>Served on a port of its own ({@link #start}) or inside {@link FakeCursorApi} (every {@code /v1/} path of it), so
 * the gateway's tests reach both versions at one base URL. Tests script runs: {@link Run#say}, {@link Run#tool},
 * {@link Run#finish}, {@link Run#fail}, {@link Run#cutStreams}, {@link Run#expireStream}, {@link Run#usage}, and
 * {@link #occupy} (a run started from Cursor's own app, which makes the agent busy).
 */
public final class FakeCursorApiV1 implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern AGENT_ID = Pattern.compile("^bc-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    /** One request the fake received (the Authorization and Last-Event-ID headers kept). */
    public record Received(String method, String path, String query, String authorization, String lastEventId, String body) {

        public JsonNode json() {
            try {
                return body == null ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (IOException e) {
                return JSON.createObjectNode();
            }
        }
    }

    /** One event of a run's stream. */
    public record StreamEvent(String id, String name, String data) {
    }

    /** An agent as Cursor keeps it. */
    public static final class Agent {
        public final String id;
        public final String repository;
        public final String startingRef;
        public final boolean autoCreatePr;
        public final boolean workOnCurrentBranch;
        public final String model;
        public final Instant createdAt = Instant.now();
        final List<Run> runs = Collections.synchronizedList(new ArrayList<>());

        Agent(String id, String repository, String startingRef, boolean autoCreatePr, boolean workOnCurrentBranch, String model) {
            this.id = id;
            this.repository = repository;
            this.startingRef = startingRef;
            this.autoCreatePr = autoCreatePr;
            this.workOnCurrentBranch = workOnCurrentBranch;
            this.model = model;
        }

        public String url() {
            return "https://cursor.com/agents/" + id;
        }

        public List<Run> runs() {
            synchronized (runs) {
                return List.copyOf(runs);
            }
        }

        public Run latest() {
            List<Run> all = runs();
            return all.get(all.size() - 1);
        }

        boolean busy() {
            return runs().stream().anyMatch(Run::active);
        }
    }

    /** One run of an agent: its prompt, status, events, and the streams open on it. */
    public static final class Run {
        public final String id = "run-" + UUID.randomUUID();
        public final Agent agent;
        public final String prompt;
        public final Instant createdAt = Instant.now();
        private final List<StreamEvent> events = new ArrayList<>();
        private final List<HttpServerResponse> open = new ArrayList<>();
        private final AtomicInteger calls = new AtomicInteger();
        private volatile String status = "CREATING";
        private volatile String result;
        private volatile String prUrl;
        private volatile String branch;
        private volatile Long durationMs;
        private volatile boolean expired;
        private volatile long inputTokens;
        private volatile long outputTokens;
        private long lastMillis;
        private int sequence;

        Run(Agent agent, String prompt) {
            this.agent = agent;
            this.prompt = prompt;
        }

        public String status() {
            return status;
        }

        boolean active() {
            return status.equals("CREATING") || status.equals("RUNNING");
        }

        /** The events so far, in order. */
        public synchronized List<StreamEvent> events() {
            return List.copyOf(events);
        }

        /** How many streams are open on the run right now. */
        public synchronized int openStreams() {
            return open.size();
        }

        /** The run starts working (a {@code status} event), unless it did already. */
        public synchronized Run running() {
            if (status.equals("CREATING")) {
                status = "RUNNING";
                append("status", JSON.createObjectNode().put("runId", id).put("status", "RUNNING"));
            }
            return this;
        }

        /** The agent says something: one {@code assistant} event per word, as Cursor streams text deltas. */
        public synchronized Run say(String text) {
            running();
            for (String word : text.split("(?<= )")) {
                append("assistant", JSON.createObjectNode().put("text", word));
            }
            return this;
        }

        /** The agent calls a tool: {@code tool_call} running, then completed. */
        public synchronized Run tool(String name, String argsJson) {
            running();
            String callId = "call-" + UUID.randomUUID().toString().substring(0, 8);
            JsonNode args = read(argsJson);
            ObjectNode started = JSON.createObjectNode().put("callId", callId).put("name", name).put("status", "running");
            started.set("args", args);
            append("tool_call", started);
            ObjectNode completed = started.deepCopy().put("status", "completed");
            completed.set("result", JSON.createObjectNode().set("success", JSON.createObjectNode().put("ok", true)));
            append("tool_call", completed);
            return this;
        }

        /** The tokens the run used, as {@code GET /v1/agents/{id}/usage} reports them. */
        public Run usage(long input, long output) {
            inputTokens = input;
            outputTokens = output;
            return this;
        }

        /** The run ends FINISHED with its final reply, the pushed branch and (when given) its pull request. */
        public synchronized Run finish(String prUrl, String branch, String text) {
            running();
            this.prUrl = prUrl;
            this.branch = branch;
            return end("FINISHED", text);
        }

        /** The run ends with ERROR. */
        public synchronized Run fail(String text) {
            return end("ERROR", text);
        }

        /** Every stream open on the run is cut, as a network failure would. */
        public synchronized Run cutStreams() {
            for (HttpServerResponse response : List.copyOf(open)) {
                response.reset();
            }
            open.clear();
            return this;
        }

        /** The run's retention window passed: its stream answers 410 {@code stream_expired} (open ones are cut). */
        public synchronized Run expireStream() {
            expired = true;
            return cutStreams();
        }

        synchronized Run end(String ended, String text) {
            status = ended;
            result = text;
            durationMs = Math.max(1, Instant.now().toEpochMilli() - createdAt.toEpochMilli());
            ObjectNode data = JSON.createObjectNode().put("runId", id).put("status", ended).put("durationMs", durationMs);
            if (text != null) {
                data.put("text", text);
            }
            if (branch != null) {
                data.set("git", git());
            }
            append("result", data);
            append("done", JSON.createObjectNode());
            for (HttpServerResponse response : List.copyOf(open)) {
                response.end();
            }
            open.clear();
            return this;
        }

        ObjectNode git() {
            ObjectNode entry = JSON.createObjectNode().put("repoUrl", agent.repository.replaceFirst("^https?://", ""))
                    .put("branch", branch);
            if (prUrl != null) {
                entry.put("prUrl", prUrl);
            }
            ObjectNode git = JSON.createObjectNode();
            git.putArray("branches").add(entry);
            return git;
        }

        private void append(String name, JsonNode data) {
            long millis = Math.max(Instant.now().toEpochMilli(), lastMillis);
            sequence = millis == lastMillis ? sequence + 1 : 0;
            lastMillis = millis;
            StreamEvent event = new StreamEvent(millis + "-" + sequence, name, data.toString());
            events.add(event);
            for (HttpServerResponse response : open) {
                response.write(frame(event));
            }
        }

        ObjectNode json() {
            ObjectNode run = JSON.createObjectNode().put("id", id).put("agentId", agent.id).put("status", status)
                    .put("createdAt", createdAt.toString()).put("updatedAt", Instant.now().toString());
            if (durationMs != null) {
                run.put("durationMs", durationMs);
            }
            if (result != null) {
                run.put("result", result);
            }
            if (branch != null) {
                run.set("git", git());
            }
            return run;
        }
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final Set<String> validKeys;
    private final Map<String, Agent> agents = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());

    /** The v1 half of {@link FakeCursorApi}: served by its server, with its keys. */
    FakeCursorApiV1(Set<String> validKeys) {
        this.vertx = null;
        this.server = null;
        this.validKeys = validKeys;
    }

    private FakeCursorApiV1(int port, String... keys) {
        this.vertx = Vertx.vertx();
        this.validKeys = ConcurrentHashMap.newKeySet();
        validKeys.addAll(List.of(keys));
        try {
            server = vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("the fake Cursor API v1 could not listen on port " + port, e);
        }
    }

    /** Starts the fake alone on 127.0.0.1 ({@code port} 0: any free port). */
    public static FakeCursorApiV1 start(int port, String... validKeys) {
        return new FakeCursorApiV1(port, validKeys);
    }

    public String baseUrl() {
        if (server == null) {
            throw new IllegalStateException("served by FakeCursorApi: use its base URL");
        }
        return "http://127.0.0.1:" + server.actualPort();
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public List<Received> received(String method, String pathPrefix) {
        return received().stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).toList();
    }

    public List<Agent> agents() {
        synchronized (agents) {
            return List.copyOf(agents.values());
        }
    }

    public Optional<Agent> agent(String id) {
        return Optional.ofNullable(agents.get(id));
    }

    /** An agent created before (by an earlier attempt, or a crashed gateway), with its first run. */
    public Agent addAgent(String agentId, String repository, String ref, String prompt) {
        Agent agent = new Agent(agentId, repository, ref, true, false, null);
        agent.runs.add(new Run(agent, prompt));
        agents.put(agentId, agent);
        return agent;
    }

    /** A run started on the agent outside Handoff (Cursor's own app): the agent is busy until it ends. */
    public Run occupy(String agentId) {
        Agent agent = agents.get(agentId);
        Run run = new Run(agent, "a prompt sent from Cursor's app");
        agent.runs.add(run);
        return run.running();
    }

    public static String basic(String key) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closing anyway
            }
            vertx.close();
        }
    }

    // ---- the published API ----

    void handle(HttpServerRequest request) {
        request.body().onSuccess(raw -> {
            try {
                route(request, raw);
            } catch (RuntimeException e) {
                error(request, 500, "internal_error", "Internal server error");
            }
        }).onFailure(e -> error(request, 400, "validation_error", "Unreadable body"));
    }

    private void route(HttpServerRequest request, Buffer raw) {
        String method = request.method().name();
        String path = request.path();
        String authorization = request.getHeader("Authorization");
        received.add(new Received(method, path, request.query(), authorization, request.getHeader("Last-Event-ID"),
                raw.length() == 0 ? null : raw.toString()));
        if (!authorized(authorization)) {
            error(request, 401, "unauthorized", "Invalid API key");
            return;
        }
        String[] parts = path.split("/");
        // "", "v1", "agents", id, "runs", runId, action
        if (method.equals("GET") && path.equals("/v1/me")) {
            json(request, 200, JSON.createObjectNode().put("apiKeyName", "Handoff test key").put("createdAt", "2026-04-13T18:30:00.000Z"));
        } else if (method.equals("POST") && path.equals("/v1/agents")) {
            create(request, raw);
        } else if (parts.length >= 4 && parts[1].equals("v1") && parts[2].equals("agents")) {
            Agent agent = agents.get(parts[3]);
            if (agent == null) {
                error(request, 404, "agent_not_found", "Agent not found");
                return;
            }
            if (parts.length == 4 && method.equals("GET")) {
                json(request, 200, agentJson(agent));
            } else if (parts.length == 5 && parts[4].equals("runs") && method.equals("POST")) {
                createRun(request, agent, raw);
            } else if (parts.length == 5 && parts[4].equals("usage") && method.equals("GET")) {
                usage(request, agent);
            } else if (parts.length >= 6 && parts[4].equals("runs")) {
                Optional<Run> run = agent.runs().stream().filter(r -> r.id.equals(parts[5])).findFirst();
                if (run.isEmpty()) {
                    error(request, 404, "run_not_found", "Run not found");
                } else if (parts.length == 6 && method.equals("GET")) {
                    json(request, 200, run.get().json());
                } else if (parts.length == 7 && parts[6].equals("cancel") && method.equals("POST")) {
                    cancel(request, run.get());
                } else if (parts.length == 7 && parts[6].equals("stream") && method.equals("GET")) {
                    stream(request, run.get());
                } else {
                    error(request, 404, "not_found", "Not found");
                }
            } else {
                error(request, 404, "not_found", "Not found");
            }
        } else {
            error(request, 404, "not_found", "Not found");
        }
    }

    private void create(HttpServerRequest request, Buffer raw) {
        JsonNode body = read(raw.toString());
        String prompt = body.path("prompt").path("text").asText("");
        if (prompt.isBlank()) {
            error(request, 400, "validation_error", "prompt.text is required");
            return;
        }
        String agentId = body.path("agentId").asText(null);
        if (agentId != null && !AGENT_ID.matcher(agentId).matches()) {
            error(request, 400, "validation_error", "agentId must be of the form bc-<uuid>");
            return;
        }
        if (agentId != null && body.has("envVars")) {
            error(request, 400, "validation_error", "agentId cannot be combined with envVars");
            return;
        }
        JsonNode repo = body.path("repos").path(0);
        if (body.has("repos") && repo.path("url").asText("").isBlank()) {
            error(request, 400, "validation_error", "repos[0].url is required");
            return;
        }
        if (body.has("model") && body.path("model").path("id").asText("").isBlank()) {
            error(request, 400, "invalid_model", "model.id is required when model is provided");
            return;
        }
        String id = agentId != null ? agentId : "bc-" + UUID.randomUUID();
        Agent agent = new Agent(id, repo.path("url").asText(null), repo.path("startingRef").asText(null),
                body.path("autoCreatePR").asBoolean(false), body.path("workOnCurrentBranch").asBoolean(false),
                body.path("model").path("id").asText(null));
        Run run = new Run(agent, prompt);
        agent.runs.add(run);
        if (agents.putIfAbsent(id, agent) != null) {
            error(request, 409, "agent_id_conflict", "An agent with this agentId already exists");
            return;
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.set("agent", agentJson(agent));
        answer.set("run", run.json());
        json(request, 201, answer);
    }

    private void createRun(HttpServerRequest request, Agent agent, Buffer raw) {
        String prompt = read(raw.toString()).path("prompt").path("text").asText("");
        if (prompt.isBlank()) {
            error(request, 400, "validation_error", "prompt.text is required");
            return;
        }
        Run run;
        synchronized (agent.runs) {
            if (agent.busy()) {
                error(request, 409, "agent_busy", "Agent already has an active run");
                return;
            }
            run = new Run(agent, prompt);
            agent.runs.add(run);
        }
        json(request, 201, JSON.createObjectNode().set("run", run.json()));
    }

    private void cancel(HttpServerRequest request, Run run) {
        synchronized (run) {
            if (!run.active()) {
                error(request, 409, "run_not_cancellable", "Run is not active");
                return;
            }
            run.end("CANCELLED", null);
        }
        json(request, 200, JSON.createObjectNode().put("id", run.id));
    }

    private void usage(HttpServerRequest request, Agent agent) {
        String runId = request.getParam("runId");
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode runs = answer.putArray("runs");
        long input = 0;
        long output = 0;
        for (Run run : agent.runs()) {
            input += run.inputTokens;
            output += run.outputTokens;
            if (runId == null || runId.equals(run.id)) {
                ObjectNode item = runs.addObject().put("id", run.id).put("usageUuid", UUID.randomUUID().toString());
                item.set("usage", tokens(run.inputTokens, run.outputTokens));
            }
        }
        answer.set("totalUsage", tokens(input, output));
        json(request, 200, answer);
    }

    private static ObjectNode tokens(long input, long output) {
        return JSON.createObjectNode().put("inputTokens", input).put("outputTokens", output).put("cacheWriteTokens", 0)
                .put("cacheReadTokens", 0).put("totalTokens", input + output);
    }

    private void stream(HttpServerRequest request, Run run) {
        String lastEventId = request.getHeader("Last-Event-ID");
        synchronized (run) {
            run.calls.incrementAndGet();
            if (run.expired) {
                error(request, 410, "stream_expired", "Run stream is no longer available");
                return;
            }
            int from = 0;
            if (lastEventId != null) {
                int index = -1;
                for (int i = 0; i < run.events.size(); i++) {
                    if (run.events.get(i).id().equals(lastEventId)) {
                        index = i;
                    }
                }
                if (index < 0) {
                    error(request, 400, "invalid_last_event_id", "Last-Event-ID must refer to an event within the requested run");
                    return;
                }
                from = index + 1;
            }
            HttpServerResponse response = request.response().setChunked(true).setStatusCode(200)
                    .putHeader("Content-Type", "text/event-stream")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Cursor-Stream-Retention-Seconds", "3600");
            // the sticky framing event: no id, re-sent at the top of every connect
            response.write("event: status\ndata: " + JSON.createObjectNode().put("runId", run.id).put("status", run.status)
                    + "\n\n");
            for (StreamEvent event : run.events.subList(from, run.events.size())) {
                response.write(frame(event));
            }
            if (!run.active() && !run.status.equals("CREATING")) {
                response.end();
                return;
            }
            run.open.add(response);
            response.closeHandler(closed -> {
                synchronized (run) {
                    run.open.remove(response);
                }
            });
        }
    }

    private static String frame(StreamEvent event) {
        return "id: " + event.id() + "\nevent: " + event.name() + "\ndata: " + event.data() + "\n\n";
    }

    private ObjectNode agentJson(Agent agent) {
        ObjectNode json = JSON.createObjectNode().put("id", agent.id).put("name", "Handoff agent").put("status", "ACTIVE");
        json.putObject("env").put("type", "cloud");
        ObjectNode repo = json.putArray("repos").addObject().put("url", agent.repository);
        if (agent.startingRef != null) {
            repo.put("startingRef", agent.startingRef);
        }
        json.put("workOnCurrentBranch", agent.workOnCurrentBranch).put("autoCreatePR", agent.autoCreatePr)
                .put("url", agent.url()).put("createdAt", agent.createdAt.toString())
                .put("updatedAt", Instant.now().toString()).put("latestRunId", agent.latest().id);
        return json;
    }

    private boolean authorized(String authorization) {
        if (authorization == null) {
            return false;
        }
        if (authorization.startsWith("Bearer ")) {
            return validKeys.contains(authorization.substring(7));
        }
        for (String key : validKeys) {
            if (authorization.equals(basic(key))) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode read(String text) {
        try {
            return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static void json(HttpServerRequest request, int status, JsonNode body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }

    private static void error(HttpServerRequest request, int status, String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("code", code).put("message", message);
        json(request, status, body);
    }
}
