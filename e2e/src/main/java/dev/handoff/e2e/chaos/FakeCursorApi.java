package dev.handoff.e2e.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stands in for Cursor's Cloud Agents API v0 as published (https://docs.cursor.com/en/background-agent/api):
 * Basic auth with the API key as user name and an empty password; {@code GET /v0/me}, {@code POST /v0/agents}
 * ({@code prompt.text}, {@code source.repository|ref}, {@code target.branchName|autoCreatePr}, {@code model},
 * {@code webhook.url|secret} with a secret of at least 32 characters), {@code GET /v0/agents} (newest first,
 * {@code limit}, {@code cursor}, {@code nextCursor}), {@code GET /v0/agents/{id}}, {@code POST /v0/agents/{id}/stop};
 * errors as {@code {"error": "..."}}; status webhooks ({@code statusChange}, for FINISHED and ERROR only) signed with
 * {@code X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the raw body>}.
 *
 * <p>It runs in the JVM of the end-to-end tests and of {@code ./handoff chaos}, on a port of its own; the stack under
 * test is started with {@code HANDOFF_CURSOR_BASE_URL} pointing here. Tests steer agents ({@link #setStatus}), read
 * what was sent ({@link #received()}, {@link #launchesByBranch()}) and deliver or forge webhooks. With an
 * {@link #autopilot} agents move on by themselves, as real ones do.
 */
public final class FakeCursorApi implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request the fake received (the Authorization header kept, to prove which key was used). */
    public record Received(String method, String path, String query, String authorization, String body, Instant at) {
    }

    /** One agent as Cursor keeps it. */
    public static final class Agent {
        public final String id;
        public final String repository;
        public final String ref;
        public final String branchName;
        public final String webhookUrl;
        public final String webhookSecret;
        public final String model;
        public final String prompt;
        public final Instant createdAt = Instant.now();
        volatile String status = "CREATING";
        volatile String prUrl;
        volatile String summary;
        volatile boolean stopped;
        final AtomicInteger webhooksDelivered = new AtomicInteger();

        Agent(String id, String repository, String ref, String branchName, String webhookUrl, String webhookSecret,
                String model, String prompt) {
            this.id = id;
            this.repository = repository;
            this.ref = ref;
            this.branchName = branchName;
            this.webhookUrl = webhookUrl;
            this.webhookSecret = webhookSecret;
            this.model = model;
            this.prompt = prompt;
        }

        public String status() {
            return status;
        }

        public String prUrl() {
            return prUrl;
        }

        public boolean stopped() {
            return stopped;
        }

        public int webhooksDelivered() {
            return webhooksDelivered.get();
        }

        public String url() {
            return "https://cursor.com/agents?id=" + id;
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

    private final HttpServer server;
    private final Set<String> validKeys = ConcurrentHashMap.newKeySet();
    private final Map<String, Agent> agents = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, AtomicInteger> launchesByBranch = new ConcurrentHashMap<>();
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final HttpClient webhookClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread thread = new Thread(r, "fake-cursor-autopilot");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger prNumbers = new AtomicInteger(1000);
    private volatile Autopilot autopilot;

    private FakeCursorApi(HttpServer server) {
        this.server = server;
    }

    /** Starts the fake on 127.0.0.1 ({@code port} 0: any free port). */
    public static FakeCursorApi start(int port, String... validKeys) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            FakeCursorApi fake = new FakeCursorApi(server);
            fake.validKeys.addAll(List.of(validKeys));
            server.createContext("/", fake::handle);
            server.setExecutor(Executors.newFixedThreadPool(4, r -> {
                Thread thread = new Thread(r, "fake-cursor-http");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return fake;
        } catch (IOException e) {
            throw new IllegalStateException("the fake Cursor API could not listen on port " + port, e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void acceptKey(String key) {
        validKeys.add(key);
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
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

    /** How many times {@code POST /v0/agents} launched an agent for each target branch. */
    public Map<String, Integer> launchesByBranch() {
        Map<String, Integer> copy = new LinkedHashMap<>();
        launchesByBranch.forEach((branch, count) -> copy.put(branch, count.get()));
        return copy;
    }

    /** Moves an agent to a status, as Cursor would; {@code prUrl} and {@code summary} may be null. */
    public void setStatus(String agentId, String status, String prUrl, String summary) {
        Agent agent = agents.get(agentId);
        if (agent == null) {
            throw new IllegalArgumentException("no agent " + agentId);
        }
        agent.status = status;
        if (prUrl != null) {
            agent.prUrl = prUrl;
        }
        if (summary != null) {
            agent.summary = summary;
        }
    }

    /** The statusChange webhook Cursor would send now for this agent, signed with its secret. */
    public Delivery webhookOf(String agentId) {
        Agent agent = agents.get(agentId);
        if (agent == null) {
            throw new IllegalStateException("no agent " + agentId);
        }
        return webhook(agentId, agent.status, agent.prUrl, agent.summary);
    }

    /** A statusChange webhook for this agent saying what the caller wants, signed with the agent's secret. */
    public Delivery webhook(String agentId, String status, String prUrl, String summary) {
        Agent agent = agents.get(agentId);
        if (agent == null || agent.webhookUrl == null) {
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

    /** Sends a delivery; answers the HTTP status, or -1 when the receiver could not be reached. */
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

    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How agents move on by themselves: CREATING, RUNNING after a while, then FINISHED (with a PR) or ERROR. */
    public record Autopilot(Random random, double errorRate, long minMillis, long maxMillis) {
    }

    public void autopilot(Autopilot plan) {
        this.autopilot = plan;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        server.stop(0);
    }

    // ---- the published API ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            received.add(new Received(method, path, query, authorization, body, Instant.now()));
            if (!authorized(authorization)) {
                error(exchange, 401, "Unauthorized");
                return;
            }
            if (method.equals("GET") && path.equals("/v0/me")) {
                json(exchange, 200, JSON.createObjectNode().put("apiKeyName", "Handoff e2e key")
                        .put("createdAt", "2026-01-15T10:30:00Z").put("userEmail", "developer@example.com"));
            } else if (method.equals("POST") && path.equals("/v0/agents")) {
                launch(exchange, body);
            } else if (method.equals("GET") && path.equals("/v0/agents")) {
                list(exchange, query);
            } else if (method.equals("GET") && path.startsWith("/v0/agents/") && path.indexOf('/', 11) < 0) {
                Agent agent = agents.get(path.substring(11));
                if (agent == null) {
                    error(exchange, 404, "Agent not found");
                } else {
                    json(exchange, 200, view(agent));
                }
            } else if (method.equals("POST") && path.startsWith("/v0/agents/") && path.endsWith("/stop")) {
                Agent agent = agents.get(path.substring(11, path.length() - 5));
                if (agent == null) {
                    error(exchange, 404, "Agent not found");
                } else {
                    agent.stopped = true;
                    json(exchange, 200, JSON.createObjectNode().put("id", agent.id));
                }
            } else {
                error(exchange, 404, "Not found");
            }
        } catch (RuntimeException e) {
            error(exchange, 500, "Internal server error");
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

    private void launch(HttpExchange exchange, String raw) throws IOException {
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (IOException e) {
            error(exchange, 400, "Invalid JSON");
            return;
        }
        String text = body.path("prompt").path("text").asText("");
        String repository = body.path("source").path("repository").asText("");
        if (text.isBlank() || repository.isBlank()) {
            error(exchange, 400, "prompt.text and source.repository are required");
            return;
        }
        JsonNode webhook = body.path("webhook");
        String webhookUrl = webhook.path("url").asText(null);
        String secret = webhook.path("secret").asText(null);
        if (webhookUrl != null && (secret == null || secret.length() < 32)) {
            error(exchange, 400, "webhook.secret must be at least 32 characters");
            return;
        }
        String id = "bc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String branch = body.path("target").path("branchName").asText("cursor/agent-" + id);
        Agent agent = new Agent(id, repository, body.path("source").path("ref").asText("main"), branch, webhookUrl, secret,
                body.path("model").asText(null), text);
        agents.put(id, agent);
        launchesByBranch.computeIfAbsent(branch, b -> new AtomicInteger()).incrementAndGet();
        Autopilot plan = autopilot;
        if (plan != null) {
            drive(agent, plan);
        }
        json(exchange, 200, view(agent));
    }

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
            }
        }, running, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> {
            if (agent.stopped) {
                return;
            }
            if (error) {
                agent.summary = "The agent hit an error";
                agent.status = "ERROR";
            } else {
                agent.prUrl = "https://github.com/acme/" + repoName(agent.repository) + "/pull/" + prNumbers.incrementAndGet();
                agent.summary = "Done: " + agent.branchName;
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

    private static String repoName(String repository) {
        String name = repository.replaceAll("\\.git$", "");
        return name.substring(name.lastIndexOf('/') + 1);
    }

    private void list(HttpExchange exchange, String query) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        int limit;
        int from;
        try {
            limit = Math.min(100, Integer.parseInt(params.getOrDefault("limit", "20")));
            from = Integer.parseInt(params.getOrDefault("cursor", "0"));
        } catch (NumberFormatException e) {
            error(exchange, 400, "limit and cursor must be numbers");
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
        json(exchange, 200, answer);
    }

    private static ObjectNode view(Agent agent) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", agent.id);
        node.put("name", agent.prompt.lines().findFirst().orElse("agent"));
        node.put("status", agent.status);
        node.putObject("source").put("repository", agent.repository).put("ref", agent.ref);
        ObjectNode target = node.putObject("target").put("branchName", agent.branchName).put("url", agent.url())
                .put("autoCreatePr", true);
        if (agent.prUrl != null) {
            target.put("prUrl", agent.prUrl);
        }
        if (agent.summary != null) {
            node.put("summary", agent.summary);
        }
        node.put("createdAt", agent.createdAt.toString());
        return node;
    }

    private static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        json(exchange, status, JSON.createObjectNode().put("error", message));
    }
}
