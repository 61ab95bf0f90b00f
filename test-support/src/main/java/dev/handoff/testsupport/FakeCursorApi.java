package dev.handoff.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stands in for Cursor's Cloud Agents API v0 as published (https://docs.cursor.com/en/background-agent/api): Basic
 * auth with the API key as user name and an empty password; {@code GET /v0/me}; {@code POST /v0/agents}
 * ({@code prompt.text}, {@code source.repository|ref}, {@code target.branchName|autoCreatePr}, {@code model},
 * {@code webhook.url|secret} with a secret of at least 32 characters); {@code GET /v0/agents} (newest first,
 * {@code limit}, {@code cursor}, {@code nextCursor}); {@code GET /v0/agents/{id}}; {@code POST /v0/agents/{id}/stop};
 * {@code POST /v0/agents/{id}/followup} ({@code prompt.text}; answers {@code {id}}); {@code GET
 * /v0/agents/{id}/conversation} ({@code {id, messages: [{id, type: user_message|assistant_message, text}]}}); errors
 * as {@code {"error": "..."}}; status webhooks ({@code statusChange}, for FINISHED and ERROR only) signed with
 * {@code X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the raw body with webhook.secret>}.
 *
 * <p>The one fake Cursor of the project: the gateway's tests (through {@link FakeCursorTestResource}), the end-to-end
 * tests, {@code ./handoff chaos} and the bench start it on a port of their own and point the gateway's Cursor base URL
 * at it. Callers steer agents ({@link #setStatus}, {@link #say}, {@link #throttleAgentReads}, {@link #breakMe}), read
 * what was sent ({@link #received}, {@link #calls}, {@link #launchesByBranch}) and deliver or forge webhooks
 * ({@link #webhook}, {@link #deliver}). With an {@link #autopilot} agents move on by themselves, as real ones do.
 * The paths of API v1 are served by {@link #v1()} ({@link FakeCursorApiV1}).
 */
public final class FakeCursorApi implements AutoCloseable {

    /** The key the fake accepts unless told otherwise (the gateway's tests configure this one). */
    public static final String VALID_KEY = "key_fake_cursor_0123456789abcdef";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Marks the field of a Quarkus test that {@link FakeCursorTestResource} fills with the running fake. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {
    }

    /** One request the fake received (the Authorization header kept, to prove which key was used). */
    public record Received(String method, String path, String query, String authorization, String body, Instant at) {

        /** The body as JSON; a missing node when there was none or it was not JSON. */
        public JsonNode json() {
            if (body == null || body.isEmpty()) {
                return MissingNode.getInstance();
            }
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return MissingNode.getInstance();
            }
        }
    }

    /** One message of an agent's conversation. */
    public record Message(String id, String type, String text) {
    }

    /** One agent as Cursor keeps it. */
    public static final class Agent {
        public final String id;
        public final String name;
        public final String repository;
        public final String ref;
        public final String branchName;
        public final boolean autoCreatePr;
        public final String model;
        public final String prompt;
        public final String webhookUrl;
        public final String webhookSecret;
        /** The last path segment of the webhook URL: Handoff's run id. */
        public final String runId;
        public final Instant createdAt = Instant.now();
        public final long launchedNanos = System.nanoTime();
        volatile String status = "CREATING";
        volatile String prUrl;
        volatile String summary;
        volatile boolean stopped;
        final AtomicInteger webhooksDelivered = new AtomicInteger();
        final List<Message> conversation = Collections.synchronizedList(new ArrayList<>());

        Agent(String id, String repository, String ref, String branchName, boolean autoCreatePr, String model,
                String prompt, String webhookUrl, String webhookSecret) {
            this.id = id;
            this.name = prompt.lines().findFirst().orElse("agent");
            this.repository = repository;
            this.ref = ref;
            this.branchName = branchName;
            this.autoCreatePr = autoCreatePr;
            this.model = model;
            this.prompt = prompt;
            this.webhookUrl = webhookUrl;
            this.webhookSecret = webhookSecret;
            this.runId = webhookUrl == null ? null : webhookUrl.substring(webhookUrl.lastIndexOf('/') + 1);
        }

        public String status() {
            return status;
        }

        public String prUrl() {
            return prUrl;
        }

        public String summary() {
            return summary;
        }

        public boolean stopped() {
            return stopped;
        }

        public int webhooksDelivered() {
            return webhooksDelivered.get();
        }

        /** The agent's conversation: the launch prompt, the follow-ups and what the agent said, in order. */
        public List<Message> conversation() {
            synchronized (conversation) {
                return List.copyOf(conversation);
            }
        }

        /** The follow-up prompts the agent was sent, in order. */
        public List<String> followups() {
            List<Message> all = conversation();
            return all.stream().skip(1).filter(m -> m.type().equals("user_message")).map(Message::text).toList();
        }

        public String url() {
            return "https://cursor.com/agents?id=" + id;
        }

        void add(String type, String text) {
            conversation.add(new Message("msg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), type, text));
        }
    }

    /** A webhook delivery: the exact bytes and headers Cursor sends. */
    public record Delivery(String url, byte[] body, Map<String, String> headers) {

        public Delivery withBody(byte[] changed) {
            return new Delivery(url, changed, headers);
        }

        public Delivery withHeader(String name, String value) {
            Map<String, String> copy = new LinkedHashMap<>(headers);
            if (value == null) {
                copy.remove(name);
            } else {
                copy.put(name, value);
            }
            return new Delivery(url, body, copy);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** How agents move on by themselves: CREATING, RUNNING after a while, then FINISHED (with a PR) or ERROR. */
    public record Autopilot(Random random, double errorRate, long minMillis, long maxMillis) {
    }

    private final Vertx vertx;
    private final boolean ownVertx;
    private final HttpServer server;
    private final Set<String> validKeys = ConcurrentHashMap.newKeySet();
    private final Map<String, Agent> agents = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, Agent> byRun = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> launchesByBranch = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger throttledReads = new AtomicInteger();
    private final AtomicInteger prNumbers = new AtomicInteger(1000);
    private final HttpClient webhookClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread thread = new Thread(r, "fake-cursor-autopilot");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean recording = true;
    private volatile boolean meBroken;
    private volatile Autopilot autopilot;
    private final FakeCursorApiV1 v1 = new FakeCursorApiV1(validKeys);

    private FakeCursorApi(Vertx vertx, boolean ownVertx, int port, String... keys) {
        this.vertx = vertx;
        this.ownVertx = ownVertx;
        validKeys.addAll(List.of(keys));
        try {
            server = vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (ownVertx) {
                vertx.close();
            }
            throw new IllegalStateException("the fake Cursor API could not listen on port " + port, e);
        }
    }

    /** Starts the fake on 127.0.0.1 with a Vert.x of its own ({@code port} 0: any free port). */
    public static FakeCursorApi start(int port, String... validKeys) {
        return new FakeCursorApi(Vertx.vertx(), true, port, validKeys);
    }

    /** Starts the fake on the caller's Vert.x. */
    public static FakeCursorApi start(Vertx vertx, int port, String... validKeys) {
        return new FakeCursorApi(vertx, false, port, validKeys);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** Cursor's API v1, served at the same base URL (every {@code /v1/} path). */
    public FakeCursorApiV1 v1() {
        return v1;
    }

    public void acceptKey(String key) {
        validKeys.add(key);
    }

    /** The key is refused from now on (401), as after its owner revoked it. */
    public void revokeKey(String key) {
        validKeys.remove(key);
    }

    /** Whether every request is kept for {@link #received()} (the default); a long load turns it off. */
    public void recordRequests(boolean on) {
        recording = on;
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public List<Received> received(String method, String pathPrefix) {
        return received().stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).toList();
    }

    /** How many calls of each kind were made ("POST /v0/agents", "GET /v0/agents/{id}", "401 GET /v0/me", ...). */
    public Map<String, Integer> calls() {
        Map<String, Integer> copy = new TreeMap<>();
        calls.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    public List<Agent> agents() {
        synchronized (agents) {
            return List.copyOf(agents.values());
        }
    }

    public Optional<Agent> agent(String id) {
        return Optional.ofNullable(agents.get(id));
    }

    public Optional<Agent> agentForBranch(String branch) {
        return agents().stream().filter(a -> branch.equals(a.branchName)).findFirst();
    }

    /** The agent launched with a webhook URL ending in this run id, or null. */
    public Agent agentOfRun(String runId) {
        return byRun.get(runId);
    }

    /** How many times {@code POST /v0/agents} launched an agent for each target branch. */
    public Map<String, Integer> launchesByBranch() {
        Map<String, Integer> copy = new LinkedHashMap<>();
        launchesByBranch.forEach((branch, count) -> copy.put(branch, count.get()));
        return copy;
    }

    /** Moves an agent to a status, as Cursor would; {@code prUrl} and {@code summary} may be null (left as they are). */
    public void setStatus(String agentId, String status, String prUrl, String summary) {
        Agent agent = existing(agentId);
        if (prUrl != null) {
            agent.prUrl = prUrl;
        }
        if (summary != null) {
            agent.summary = summary;
        }
        agent.status = status;
    }

    /** The agent says something: an {@code assistant_message} of its conversation. */
    public void say(String agentId, String text) {
        existing(agentId).add("assistant_message", text);
    }

    /** An agent that exists already (as if launched by someone else, or before a crash), without a webhook. */
    public String addAgent(String repository, String ref, String branch, String status) {
        return addAgent(repository, ref, branch, status, "existing agent");
    }

    /** An agent that exists already, launched with this prompt (the first message of its conversation), without a webhook. */
    public String addAgent(String repository, String ref, String branch, String status, String prompt) {
        String id = newId();
        Agent agent = new Agent(id, repository, ref, branch, false, null, prompt, null, null);
        agent.add("user_message", agent.prompt);
        agent.status = status;
        agents.put(id, agent);
        return id;
    }

    /** The next {@code count} reads of an agent ({@code GET /v0/agents/{id}}) are answered 429. */
    public void throttleAgentReads(int count) {
        throttledReads.set(count);
    }

    /** {@code GET /v0/me} answers 500 while broken. */
    public void breakMe(boolean broken) {
        meBroken = broken;
    }

    public void autopilot(Autopilot plan) {
        this.autopilot = plan;
    }

    // ---- webhooks ----

    /** The statusChange webhook Cursor would send now for this agent, signed with its secret. */
    public Delivery webhookOf(String agentId) {
        Agent agent = existing(agentId);
        return webhook(agentId, agent.status, agent.prUrl, agent.summary);
    }

    /** A statusChange webhook for this agent saying what the caller wants, signed with the agent's secret. */
    public Delivery webhook(String agentId, String status, String prUrl, String summary) {
        Agent agent = existing(agentId);
        if (agent.webhookUrl == null) {
            throw new IllegalStateException("agent " + agentId + " has no webhook");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("event", "statusChange");
        body.put("timestamp", Instant.now().toString());
        body.put("id", agent.id);
        body.put("status", status);
        body.putObject("source").put("repository", agent.repository).put("ref", agent.ref);
        ObjectNode target = body.putObject("target").put("url", agent.url()).put("branchName", agent.branchName);
        if (prUrl != null) {
            target.put("prUrl", prUrl);
        }
        if (summary != null) {
            body.put("summary", summary);
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "Cursor-Agent-Webhook/1.0");
        headers.put("X-Webhook-Event", "statusChange");
        headers.put("X-Webhook-ID", "msg_" + UUID.randomUUID().toString().replace("-", ""));
        headers.put("X-Webhook-Signature", sign(agent.webhookSecret, bytes));
        return new Delivery(agent.webhookUrl, bytes, headers);
    }

    /** Sends a delivery and waits for the answer: its HTTP status, or -1 when the receiver could not be reached. */
    public int deliver(Delivery delivery) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(delivery.url()))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(delivery.body()));
        delivery.headers().forEach((name, value) -> {
            if (!"User-Agent".equalsIgnoreCase(name)) {
                request.header(name, value);
            }
        });
        try {
            return webhookClient.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The {@code X-Webhook-Signature} value of a body: {@code sha256=<hex HMAC-SHA256 with the secret>}. */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Authorization header Cursor expects for a key. */
    public static String basic(String key) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
        if (ownVertx) {
            vertx.close();
        }
    }

    // ---- the published API ----

    private void handle(HttpServerRequest request) {
        if (request.path().startsWith("/v1/")) {
            v1.handle(request);
            return;
        }
        request.body().onSuccess(raw -> {
            try {
                route(request, raw);
            } catch (RuntimeException e) {
                error(request, 500, "Internal server error");
            }
        }).onFailure(e -> error(request, 400, "Unreadable body"));
    }

    private void route(HttpServerRequest request, Buffer raw) {
        String method = request.method().name();
        String path = request.path();
        String authorization = request.getHeader("Authorization");
        if (recording) {
            received.add(new Received(method, path, request.query(), authorization, raw.length() == 0 ? null : raw.toString(),
                    Instant.now()));
        }
        String call = method + " " + path.replaceAll("^/v0/agents/[^/]+", "/v0/agents/{id}");
        if (!authorized(authorization)) {
            count("401 " + call);
            error(request, 401, "Unauthorized");
            return;
        }
        String[] parts = path.split("/");
        // "", "v0", "agents", id, action
        if (method.equals("GET") && path.equals("/v0/me")) {
            count(call);
            if (meBroken) {
                error(request, 500, "Internal server error");
                return;
            }
            json(request, 200, JSON.createObjectNode().put("apiKeyName", "Handoff test key")
                    .put("createdAt", "2026-01-15T10:30:00Z").put("userEmail", "developer@example.com"));
        } else if (method.equals("POST") && path.equals("/v0/agents")) {
            count(call);
            launch(request, raw);
        } else if (method.equals("GET") && path.equals("/v0/agents")) {
            count(call);
            list(request);
        } else if (parts.length == 4 && path.startsWith("/v0/agents/") && method.equals("GET")) {
            count(call);
            read(request, parts[3]);
        } else if (parts.length == 5 && path.startsWith("/v0/agents/") && method.equals("POST") && parts[4].equals("stop")) {
            count(call);
            stop(request, parts[3]);
        } else if (parts.length == 5 && path.startsWith("/v0/agents/") && method.equals("POST") && parts[4].equals("followup")) {
            count(call);
            followup(request, parts[3], raw);
        } else if (parts.length == 5 && path.startsWith("/v0/agents/") && method.equals("GET") && parts[4].equals("conversation")) {
            count(call);
            conversation(request, parts[3]);
        } else {
            count("404 " + method + " " + path);
            error(request, 404, "Not found");
        }
    }

    private boolean authorized(String authorization) {
        if (authorization == null || !authorization.startsWith("Basic ")) {
            return false;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon >= 0 && validKeys.contains(decoded.substring(0, colon));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void launch(HttpServerRequest request, Buffer raw) {
        JsonNode body = parse(raw);
        if (body == null) {
            error(request, 400, "Invalid JSON");
            return;
        }
        String text = body.path("prompt").path("text").asText("");
        String repository = body.path("source").path("repository").asText("");
        if (text.isBlank() || repository.isBlank()) {
            error(request, 400, "prompt.text and source.repository are required");
            return;
        }
        JsonNode webhook = body.path("webhook");
        String webhookUrl = webhook.path("url").asText(null);
        String secret = webhook.path("secret").asText(null);
        if (webhook.isObject() && (secret == null || secret.length() < 32)) {
            error(request, 400, "webhook.secret must be at least 32 characters");
            return;
        }
        String id = newId();
        JsonNode target = body.path("target");
        String branch = target.path("branchName").asText("cursor/agent-" + id);
        Agent agent = new Agent(id, repository, body.path("source").path("ref").asText("main"), branch,
                target.path("autoCreatePr").asBoolean(false), body.path("model").asText(null), text, webhookUrl, secret);
        agent.add("user_message", text);
        agents.put(id, agent);
        if (agent.runId != null) {
            byRun.put(agent.runId, agent);
        }
        launchesByBranch.computeIfAbsent(branch, b -> new AtomicInteger()).incrementAndGet();
        Autopilot plan = autopilot;
        if (plan != null) {
            drive(agent, plan);
        }
        json(request, 200, view(agent));
    }

    private void list(HttpServerRequest request) {
        int limit;
        int from;
        try {
            limit = Math.min(100, Integer.parseInt(request.getParam("limit", "20")));
            from = Integer.parseInt(request.getParam("cursor", "0"));
        } catch (NumberFormatException e) {
            error(request, 400, "limit and cursor must be numbers");
            return;
        }
        List<Agent> newestFirst = new ArrayList<>(agents());
        Collections.reverse(newestFirst);
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode page = answer.putArray("agents");
        for (int i = from; i < Math.min(from + limit, newestFirst.size()); i++) {
            page.add(view(newestFirst.get(i)));
        }
        if (from + limit < newestFirst.size()) {
            answer.put("nextCursor", String.valueOf(from + limit));
        }
        json(request, 200, answer);
    }

    private void read(HttpServerRequest request, String id) {
        if (throttledReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            request.response().putHeader("Retry-After", "1");
            error(request, 429, "Too many requests");
            return;
        }
        Agent agent = agents.get(id);
        if (agent == null) {
            error(request, 404, "Agent not found");
        } else {
            json(request, 200, view(agent));
        }
    }

    private void stop(HttpServerRequest request, String id) {
        Agent agent = agents.get(id);
        if (agent == null) {
            error(request, 404, "Agent not found");
            return;
        }
        agent.stopped = true;
        json(request, 200, JSON.createObjectNode().put("id", agent.id));
    }

    private void followup(HttpServerRequest request, String id, Buffer raw) {
        Agent agent = agents.get(id);
        if (agent == null) {
            error(request, 404, "Agent not found");
            return;
        }
        JsonNode body = parse(raw);
        String text = body == null ? "" : body.path("prompt").path("text").asText("");
        if (text.isBlank()) {
            error(request, 400, "prompt.text is required");
            return;
        }
        agent.add("user_message", text);
        agent.stopped = false;
        agent.status = "RUNNING";
        Autopilot plan = autopilot;
        if (plan != null) {
            drive(agent, plan);
        }
        json(request, 200, JSON.createObjectNode().put("id", agent.id));
    }

    private void conversation(HttpServerRequest request, String id) {
        Agent agent = agents.get(id);
        if (agent == null) {
            error(request, 404, "Agent not found");
            return;
        }
        ObjectNode answer = JSON.createObjectNode().put("id", agent.id);
        ArrayNode messages = answer.putArray("messages");
        for (Message message : agent.conversation()) {
            messages.addObject().put("id", message.id()).put("type", message.type()).put("text", message.text());
        }
        json(request, 200, answer);
    }

    // ---- the autopilot ----

    private void drive(Agent agent, Autopilot plan) {
        long running;
        long finished;
        boolean error;
        synchronized (plan.random()) {
            running = plan.minMillis() + plan.random().nextLong(Math.max(1, plan.maxMillis() - plan.minMillis()) / 3 + 1);
            finished = running + plan.minMillis() + plan.random().nextLong(Math.max(1, plan.maxMillis() - plan.minMillis()));
            error = plan.random().nextDouble() < plan.errorRate();
        }
        scheduler.schedule(() -> {
            if (!agent.stopped && "CREATING".equals(agent.status)) {
                agent.status = "RUNNING";
                agent.add("assistant_message", "Working on it.");
            }
        }, running, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> {
            if (agent.stopped) {
                return;
            }
            if (error) {
                agent.summary = "The agent hit an error";
                agent.add("assistant_message", agent.summary);
                agent.status = "ERROR";
            } else {
                if (agent.prUrl == null) {
                    agent.prUrl = "https://github.com/acme/" + repoName(agent.repository) + "/pull/" + prNumbers.incrementAndGet();
                }
                agent.summary = "Done: " + agent.branchName;
                agent.add("assistant_message", agent.summary);
                agent.status = "FINISHED";
            }
            if (agent.webhookUrl != null) {
                deliverWithRetries(agent, 0);
            }
        }, finished, TimeUnit.MILLISECONDS);
    }

    /** Cursor retries a webhook that was not answered 2xx a few times; polling repairs the rest. */
    private void deliverWithRetries(Agent agent, int attempt) {
        int status = deliver(webhookOf(agent.id));
        if (status >= 200 && status < 300) {
            agent.webhooksDelivered.incrementAndGet();
        } else if (attempt < 3) {
            scheduler.schedule(() -> deliverWithRetries(agent, attempt + 1), 2L << attempt, TimeUnit.SECONDS);
        }
    }

    // ---- helpers ----

    private Agent existing(String agentId) {
        Agent agent = agents.get(agentId);
        if (agent == null) {
            throw new IllegalArgumentException("no agent " + agentId);
        }
        return agent;
    }

    private static String newId() {
        return "bc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static String repoName(String repository) {
        String name = repository.replaceAll("\\.git$", "");
        return name.substring(name.lastIndexOf('/') + 1);
    }

    private static JsonNode parse(Buffer raw) {
        try {
            JsonNode node = JSON.readTree(raw.getBytes());
            return node == null || !node.isObject() ? null : node;
        } catch (IOException e) {
            return null;
        }
    }

    private static ObjectNode view(Agent agent) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", agent.id);
        node.put("name", agent.name);
        node.put("status", agent.status);
        node.putObject("source").put("repository", agent.repository).put("ref", agent.ref);
        ObjectNode target = node.putObject("target").put("branchName", agent.branchName).put("url", agent.url())
                .put("autoCreatePr", agent.autoCreatePr);
        if (agent.prUrl != null) {
            target.put("prUrl", agent.prUrl);
        }
        if (agent.summary != null) {
            node.put("summary", agent.summary);
        }
        node.put("createdAt", agent.createdAt.toString());
        return node;
    }

    private void count(String call) {
        calls.computeIfAbsent(call, k -> new AtomicInteger()).incrementAndGet();
    }

    private static void json(HttpServerRequest request, int status, JsonNode body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }

    private static void error(HttpServerRequest request, int status, String message) {
        json(request, status, JSON.createObjectNode().put("error", message));
    }
}
