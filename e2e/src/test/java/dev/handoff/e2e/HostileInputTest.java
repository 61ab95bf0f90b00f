package dev.handoff.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.e2e.chaos.Databases;
import dev.handoff.e2e.chaos.RawHttp;
import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Generated malformed, oversize and hostile requests against every endpoint of the four services: wrong types,
 * missing fields, huge strings, deep JSON, invalid UUIDs, bad enum values, unknown providers, wrong content types,
 * injection strings in every text field, {@code file://} and remote repositories the operator did not allow.
 * Nothing answers 5xx; every refusal is a problem+json with a {@code code} and a {@code detail}; a refused request
 * writes no row in any service database and changes no existing resource; what is accepted is stored verbatim and
 * never executed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(4)
class HostileInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<Integer> BAD_INPUT = Set.of(400);
    private static final Set<Integer> BAD_ID = Set.of(400, 404);
    private static final Set<Integer> BAD_ID_OR_EMPTY = Set.of(200, 400, 404);
    private static final List<JsonNode> SCALARS = List.of(NODES.numberNode(123), NODES.booleanNode(true), NODES.numberNode(1.5),
            NODES.numberNode(new java.math.BigInteger("9".repeat(400))));

    /** Strings an attacker puts in every text field. */
    static final List<String> INJECTIONS = List.of(
            "'; DROP TABLE briefs; --",
            "\" OR \"1\"=\"1",
            "' UNION SELECT name, ciphertext FROM secret --",
            "<script>alert(document.cookie)</script>",
            "<img src=x onerror=alert(1)>",
            "${jndi:ldap://127.0.0.1:1/a}",
            "{{7*7}} ${7*7} #{7*7} <%= 7*7 %>",
            "$(touch /tmp/handoff-pwned)",
            "`touch /tmp/handoff-pwned`",
            "; touch /tmp/handoff-pwned #",
            "../../../../../../etc/passwd",
            "%00%0d%0a",
            "line one\r\nInjected-Header: yes",
            "\u202Egnp.exe",
            "\uD83D\uDE00".repeat(40),
            "{\"$gt\": \"\"}",
            "\\\\server\\share\\..\\..",
            "%s%s%s%n%x");

    private E2eStack e2e;
    private final RawHttp http = new RawHttp();
    private Api api;
    private String token;
    private String configToken;
    private String brief;
    private String task;
    private String subtask;
    private String run;
    private String pullRequest;
    /** A task whose agent context (task + brief) is over HANDOFF_MAX_CONTEXT_BYTES (3 MiB), though each field is in its limit. */
    private String hugeTask;
    private Map<String, Long> rowsBefore;
    private Map<String, Long> rowsAfter;
    private Map<String, JsonNode> fixturesBefore;
    private Map<String, JsonNode> fixturesAfter;
    private final List<Probe> probes = new ArrayList<>();
    private final Map<Probe, RawHttp.Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, Integer> byStatus = Collections.synchronizedMap(new TreeMap<>());
    private final Map<String, Integer> byService = Collections.synchronizedMap(new TreeMap<>());
    private final List<String> acceptedAnswers = Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicInteger reconnects = new java.util.concurrent.atomic.AtomicInteger();

    /** One hostile request and what the contract says it must get. */
    record Probe(String endpoint, String label, String method, String url, Map<String, String> headers, byte[] body,
            Set<Integer> expected, String expectedCode, boolean problemRequired) {

        @Override
        public String toString() {
            String shown = body == null ? "" : new String(body, 0, Math.min(body.length, 160), StandardCharsets.UTF_8)
                    .replaceAll("\\s+", " ") + (body.length > 160 ? "... (" + body.length + " bytes)" : "");
            return "[" + label + "] " + method + " " + (url.length() > 160 ? url.substring(0, 160) + "..." : url)
                    + (headers.containsKey("Content-Type") ? " (" + headers.get("Content-Type") + ")" : "") + " " + shown;
        }
    }

    @BeforeAll
    void fireEveryRefusableRequestWhileCountingRows() throws Exception {
        e2e = E2eStack.get();
        String workspace = E2eStack.newWorkspace("fuzz");
        token = e2e.jwt().admin(workspace);
        configToken = e2e.jwt().admin(E2eStack.newWorkspace("fuzz-config"));
        api = new Api(e2e, token);
        api.configureLocal();
        brief = api.newBrief();
        task = api.newTask(brief, "The fuzzing target");
        subtask = api.get(e2e.tasks("/api/tasks/" + task)).json().get("subtasks").get(0).get("id").asText();
        run = api.launch(task, Map.of("repositoryUrl", e2e.sampleRepository(), "branch", "main")).get("id").asText();
        String url = api.awaitStatus(run, "COMPLETED", Duration.ofSeconds(90)).path("pullRequest").path("url").asText();
        pullRequest = url.substring(url.lastIndexOf('/') + 1);
        hugeTask = hugeTask();
        // agents off: a launch that slips through validation is refused later (422) instead of writing a run
        api.expect(200, api.send("PUT", e2e.gateway("/api/agent-config"), Map.of("provider", "local", "enabled", false)));
        new Api(e2e, configToken).configureLocal();

        generate();
        awaitQuiet();
        fixturesBefore = fixtures();
        rowsBefore = e2e.databases().rowCounts();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Probe probe : probes) {
                running.add(pool.submit(() -> answers.put(probe, send(probe))));
            }
            for (Future<?> future : running) {
                future.get();
            }
        } finally {
            pool.shutdown();
        }
        awaitQuiet();
        rowsAfter = e2e.databases().rowCounts();
        fixturesAfter = fixtures();
    }

    @AfterAll
    void printFigures() {
        int total = byStatus.values().stream().mapToInt(Integer::intValue).sum();
        long fiveXx = byStatus.entrySet().stream().filter(e -> e.getKey().startsWith("5")).mapToLong(Map.Entry::getValue).sum();
        System.out.println("[hostile input] requests tried: " + total + " (" + probes.size() + " refusable, "
                + (total - probes.size()) + " injection and repository probes); 5xx: " + fiveXx);
        System.out.println("[hostile input] by status: " + byStatus);
        System.out.println("[hostile input] by service: " + byService);
        System.out.println("[hostile input] requests sent again on a fresh connection (the server had closed a pooled one): "
                + reconnects.get());
    }

    // ---- the refusable requests ----

    @TestFactory
    @Order(1)
    Stream<DynamicTest> everyMalformedRequestIsRefusedWithAProblemAndNever5xx() {
        Map<String, List<Probe>> byEndpoint = probes.stream()
                .collect(Collectors.groupingBy(Probe::endpoint, LinkedHashMap::new, Collectors.toList()));
        return byEndpoint.entrySet().stream().map(entry -> DynamicTest.dynamicTest(
                entry.getKey() + " (" + entry.getValue().size() + " requests)", () -> {
                    List<String> violations = new ArrayList<>();
                    for (Probe probe : entry.getValue()) {
                        String problem = judge(probe, answers.get(probe));
                        if (problem != null) {
                            violations.add(problem + "\n      request: " + probe + "\n      answer:  " + answers.get(probe).brief());
                        }
                    }
                    if (!violations.isEmpty()) {
                        fail(violations.size() + " of " + entry.getValue().size() + " requests violate the contract:\n    "
                                + String.join("\n    ", violations));
                    }
                }));
    }

    private static String judge(Probe probe, RawHttp.Answer answer) {
        if (answer == null) {
            return "no answer";
        }
        if (answer.status() >= 500) {
            return "5xx";
        }
        if (answer.status() == 200 && probe.expected().contains(200)) {
            return answer.json() != null && answer.json().isArray() && answer.json().isEmpty() ? null
                    : "an unknown id listed something: " + answer.brief();
        }
        if (answer.status() < 400) {
            return "accepted (" + answer.status() + ") though the contract refuses it";
        }
        if (!probe.problemRequired()) {
            // refused by the HTTP layer before the application (see oversizeBodiesAndUrisAreRefusedWithAProblem)
            return probe.expected().contains(answer.status()) ? null : "status " + answer.status() + ", expected " + probe.expected();
        }
        if (!answer.isProblem()) {
            return "not an application/problem+json body";
        }
        if (answer.code() == null || answer.code().isBlank()) {
            return "a problem without code";
        }
        if (answer.detail() == null || answer.detail().isBlank()) {
            return "a problem without detail";
        }
        if (!probe.expected().contains(answer.status())) {
            return "status " + answer.status() + ", expected " + probe.expected();
        }
        if (probe.expectedCode() != null && !probe.expectedCode().equals(answer.code())) {
            return "code " + answer.code() + ", expected " + probe.expectedCode();
        }
        return null;
    }

    @Test
    @Order(2)
    void aRefusedRequestWritesNoRowAndChangesNoResource() {
        assertEquals(List.of(), Databases.differences(rowsBefore, rowsAfter), "rows written while only refusable requests were sent");
        assertEquals(fixturesBefore, fixturesAfter, "the brief, task, run, pull request and configurations are unchanged");
    }

    @Test
    @Order(3)
    void errorDetailsDoNotLeakInternals() {
        List<String> leaks = new ArrayList<>();
        for (var entry : answers.entrySet()) {
            String body = entry.getValue().status() == 599 ? null : entry.getValue().body();
            if (body != null && body.matches("(?s).*(Exception|java\\.lang\\.|org\\.hibernate|io\\.vertx|org\\.postgresql|\\bat [a-z]+\\.[a-z]+\\.[A-Za-z.$]+\\().*")) {
                leaks.add(entry.getKey() + "\n      answer: " + entry.getValue().brief());
            }
        }
        assertEquals(List.of(), leaks, "problem details naming internal classes or stack frames");
    }

    // ---- text that is accepted must be kept as text ----

    @Test
    @Order(4)
    void injectionStringsInEveryTextFieldAreStoredVerbatimOrRefused() {
        Api inj = new Api(e2e, e2e.jwt().admin(E2eStack.newWorkspace("fuzz-inj")));
        inj.configureLocal();
        String injBrief = inj.newBrief();
        List<String> violations = new ArrayList<>();
        for (String s : INJECTIONS) {
            String title = s.length() > 200 ? s.substring(0, 200) : s;
            // a brief
            Map<String, Object> briefBody = Map.of("title", title, "content", s);
            RawHttp.Answer created = tracked(inj.send("POST", e2e.tasks("/api/briefs"), briefBody), "tasks");
            check(violations, "POST /api/briefs with " + show(s), created, a -> {
                JsonNode read = inj.get(e2e.tasks("/api/briefs/" + a.json().get("id").asText())).json();
                return title.equals(read.path("title").asText()) && s.equals(read.path("content").asText());
            });
            check(violations, "PUT /api/briefs/{id} with " + show(s),
                    tracked(inj.send("PUT", e2e.tasks("/api/briefs/" + injBrief), briefBody), "tasks"),
                    a -> s.equals(a.json().path("content").asText()));
            // a task, its criteria and subtasks
            Map<String, Object> taskBody = Map.of("title", title, "description", s, "acceptanceCriteria", List.of(s),
                    "subtasks", List.of(Map.of("title", title, "description", s)));
            RawHttp.Answer taskAnswer = tracked(inj.send("POST", e2e.tasks("/api/briefs/" + injBrief + "/tasks"), taskBody), "tasks");
            check(violations, "POST /api/briefs/{id}/tasks with " + show(s), taskAnswer, a -> {
                JsonNode read = inj.get(e2e.tasks("/api/tasks/" + a.json().get("id").asText() + "/agent-context")).json().get("task");
                return title.equals(read.path("title").asText()) && s.equals(read.path("description").asText())
                        && s.equals(read.path("acceptanceCriteria").path(0).asText())
                        && title.equals(read.path("subtasks").path(0).path("title").asText())
                        && s.equals(read.path("subtasks").path(0).path("description").asText());
            });
            if (taskAnswer.status() == 201) {
                String id = taskAnswer.json().get("id").asText();
                check(violations, "PUT /api/tasks/{id} with " + show(s),
                        tracked(inj.send("PUT", e2e.tasks("/api/tasks/" + id), taskBody), "tasks"),
                        a -> s.equals(a.json().path("description").asText()));
            }
            // a Task Master import
            Map<String, Object> file = Map.of("tasks", List.of(Map.of("id", 1, "title", title, "description", s, "details", s,
                    "testStrategy", s, "subtasks", List.of(Map.of("id", 1, "title", title, "description", s)))));
            check(violations, "POST /api/briefs/{id}/tasks/import with " + show(s),
                    tracked(inj.send("POST", e2e.tasks("/api/briefs/" + injBrief + "/tasks/import"), file), "tasks"),
                    a -> title.equals(a.json().path("tasks").path(0).path("title").asText()));
            // a run's instructions, on a repository the agent may not clone (so it ends at once)
            String launchTask = inj.newTask(injBrief, "Launch with hostile instructions");
            RawHttp.Answer launched = tracked(inj.send("POST", e2e.runs("/api/tasks/" + launchTask + "/runs"),
                    Map.of("repositoryUrl", "file:///nonexistent/handoff-fuzz.git", "branch", "main", "instructions", s)), "runs");
            check(violations, "POST /api/tasks/{id}/runs with instructions " + show(s), launched,
                    a -> s.equals(a.json().path("instructions").asText()));
            // the model of a configuration
            check(violations, "PUT /api/agent-config with model " + show(s),
                    tracked(inj.send("PUT", e2e.gateway("/api/agent-config"), Map.of("provider", "local", "enabled", true,
                            "model", title)), "gateway"),
                    a -> title.equals(inj.get(e2e.gateway("/api/agent-config")).json().path("model").asText()));
            // as an id, a status, a query, a header
            String encoded = URLEncoder.encode(s, StandardCharsets.UTF_8);
            for (String url : List.of(e2e.tasks("/api/briefs/" + encoded), e2e.tasks("/api/tasks/" + encoded),
                    e2e.runs("/api/runs/" + encoded), e2e.gateway("/api/pull-requests/" + encoded))) {
                RawHttp.Answer answer = tracked(inj.get(url), serviceOf(url));
                refusedOrViolation(violations, "GET " + url, answer, BAD_ID);
            }
            refusedOrViolation(violations, "GET /api/runs?status=" + show(s),
                    tracked(inj.get(e2e.runs("/api/runs?status=" + encoded)), "runs"), BAD_INPUT);
            Map<String, String> sse = RawHttp.auth(inj.token());
            sse.put("Accept", "text/event-stream");
            refusedOrViolation(violations, "GET /api/events?taskId=" + show(s),
                    tracked(http.stream(e2e.notifications("/api/events?taskId=" + encoded), sse), "notifications"), BAD_INPUT);
        }
        System.out.println("[hostile input] injection strings accepted and read back verbatim: " + acceptedAnswers.size());
        assertEquals(List.of(), violations, "injection strings");
        assertFalse(Files.exists(Path.of("/tmp/handoff-pwned")), "an injection string was run as a command");
    }

    /** file:// outside the allowed roots (path traversal, a sibling folder named like the root), remote hosts, argument injection. */
    @Test
    @Order(5)
    void repositoriesTheOperatorDidNotAllowNeverReachTheAgent() throws IOException {
        Api files = new Api(e2e, e2e.jwt().admin(E2eStack.newWorkspace("fuzz-files")));
        files.configureLocal();
        Path roots = e2e.state().resolve("repos");
        Path sibling = e2e.state().resolve("repos-evil");
        // a real repository next to the allowed root, named so that a string prefix check would let it through
        String cloneable = SampleRepo.ensure(sibling, "greeter").substring("file://".length());
        String marker = e2e.state().resolve("pwned-" + UUID.randomUUID()).toString();
        List<String> urls = List.of(
                "file://" + cloneable,
                "file://" + roots + "/../repos-evil/greeter.git",
                "file://" + roots + "/%2e%2e/repos-evil/greeter.git",
                "file://" + roots + "/../../../../../../etc",
                "file:///etc/passwd",
                "file:///root/.ssh",
                "file:///proc/self/environ",
                "file://localhost/etc/passwd",
                "file://127.0.0.1" + cloneable,
                "https://evil.example.com/acme/greeter.git",
                "ssh://git@evil.example.com/acme/greeter.git",
                "git@evil.example.com:acme/greeter.git",
                "https://127.0.0.1:" + e2e.ports().gateway() + "/q/health",
                "ssh://-oProxyCommand=touch%20" + marker + "/x.git",
                "git@-oProxyCommand=touch%20" + marker + ":x.git",
                "https://--upload-pack=touch%20" + marker + "@github.com/acme/x.git",
                "ext::sh%20-c%20touch%20" + marker);
        String briefId = files.newBrief();
        List<String> violations = new ArrayList<>();
        Map<String, String> runs = new LinkedHashMap<>();
        for (String url : urls) {
            String taskId = files.newTask(briefId, "Clone what is not allowed");
            RawHttp.Answer answer = tracked(files.send("POST", e2e.runs("/api/tasks/" + taskId + "/runs"),
                    Map.of("repositoryUrl", url, "branch", "main", "provider", "local")), "runs");
            if (answer.status() == 201) {
                runs.put(url, answer.json().get("id").asText());
            } else {
                refusedOrViolation(violations, "launch on " + url, answer, BAD_INPUT);
            }
        }
        for (var entry : runs.entrySet()) {
            JsonNode ended = awaitFinal(files, entry.getValue());
            if (!"FAILED".equals(ended.get("status").asText())
                    || !"repository-not-allowed".equals(ended.path("error").path("code").asText())) {
                violations.add("launch on " + entry.getKey() + " ended " + ended.get("status") + " " + ended.path("error"));
            }
        }
        assertFalse(Files.exists(Path.of(marker)), "a command smuggled into a repository URL ran");
        System.out.println("[hostile input] repositories not allowed: " + urls.size() + " tried, " + runs.size()
                + " accepted then failed, " + (urls.size() - runs.size()) + " refused at once");
        assertEquals(List.of(), violations);
    }

    @Test
    @Order(6)
    void shellMetacharactersInATaskAreGivenToTheAgentAsTextAndNeverRun() throws IOException {
        Api shell = new Api(e2e, e2e.jwt().admin(E2eStack.newWorkspace("fuzz-shell")));
        shell.configureLocal();
        // absolute paths the agent's shell would create if any text of the task were run as a command
        Path dir = Path.of("/tmp/handoff-pwned-" + UUID.randomUUID().toString().substring(0, 8));
        String t = "touch " + dir;
        Map<String, Object> body = Map.of(
                "title", "$(" + t + "-a) `" + t + "-b`; " + t + "-c | " + t + "-d",
                "description", "$(" + t + "-description)\n```\n" + t + "-fence\n```",
                "acceptanceCriteria", List.of("$(" + t + "-criterion)", "'; " + t + "-quote; '"),
                "subtasks", List.of(Map.of("title", "`" + t + "-subtask`", "description", "${IFS}" + t + "-ifs")));
        String briefId = shell.newBrief();
        String taskId = shell.expect(201, tracked(shell.send("POST", e2e.tasks("/api/briefs/" + briefId + "/tasks"), body), "tasks"))
                .get("id").asText();
        JsonNode launched = shell.expect(201, tracked(shell.send("POST", e2e.runs("/api/tasks/" + taskId + "/runs"),
                Map.of("repositoryUrl", e2e.sampleRepository(), "branch", "main",
                        "instructions", "$(" + t + "-instructions) && " + t + "-and")), "runs"));
        JsonNode ended = awaitFinal(shell, launched.get("id").asText());
        assertEquals("COMPLETED", ended.get("status").asText(), "the run with hostile text still completes: " + ended);
        try (Stream<Path> strays = Files.list(dir.getParent())) {
            List<Path> created = strays.filter(p -> p.getFileName().toString().startsWith(dir.getFileName().toString())).toList();
            assertEquals(List.of(), created, "text of the task was run as a command");
        }
    }

    @Test
    @Order(7)
    void atLeastAThousandRequestsWereTried() {
        int total = byStatus.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(total >= 1000, "requests tried: " + total);
        long fiveXx = byStatus.entrySet().stream().filter(e -> e.getKey().startsWith("5")).mapToLong(Map.Entry::getValue).sum();
        assertEquals(0, fiveXx, "5xx answers: " + byStatus);
    }

    // ---- violations this suite found: fixed in the shared strict JSON reading, kept as regression tests (the last is still open) ----

    @Test
    @Order(8)
    void aNulCharacterInTextIsRefusedNot500() {
        String s = "a\u0000b";
        Api nul = new Api(e2e, e2e.jwt().admin(E2eStack.newWorkspace("fuzz-nul")));
        nul.configureLocal();
        String briefId = nul.newBrief();
        String taskId = nul.newTask(briefId, "NUL target");
        List<RawHttp.Answer> answers = List.of(
                nul.send("POST", e2e.tasks("/api/briefs"), Map.of("title", s, "content", s)),
                nul.send("PUT", e2e.tasks("/api/briefs/" + briefId), Map.of("title", "t", "content", s)),
                nul.send("POST", e2e.tasks("/api/briefs/" + briefId + "/tasks"), Map.of("title", s)),
                nul.send("PUT", e2e.tasks("/api/tasks/" + taskId), Map.of("title", "t", "description", s)),
                nul.send("POST", e2e.tasks("/api/briefs/" + briefId + "/tasks/import"), Map.of("tasks", List.of(Map.of("id", 1, "title", s)))),
                nul.send("POST", e2e.runs("/api/tasks/" + taskId + "/runs"),
                        Map.of("repositoryUrl", e2e.sampleRepository(), "branch", "main", "instructions", s)),
                nul.send("PUT", e2e.gateway("/api/agent-config"), Map.of("provider", "local", "enabled", true, "model", s)));
        for (RawHttp.Answer answer : answers) {
            assertEquals(400, answer.status(), answer.brief());
            CursorWebhookTest.assertProblem(answer);
        }
    }

    @Test
    @Order(9)
    void trailingContentAfterTheJsonIsRefused() {
        List<String> violations = new ArrayList<>();
        for (String trailer : List.of("}", "]", " garbage", "{\"title\":\"second\"}")) {
            expectRefused(violations, "POST", e2e.tasks("/api/briefs"), token, "{\"title\":\"x\"}" + trailer);
            expectRefused(violations, "POST", e2e.tasks("/api/briefs/" + brief + "/tasks"), token, "{\"title\":\"x\"}" + trailer);
            expectRefused(violations, "POST", e2e.runs("/api/tasks/" + task + "/runs"), token,
                    "{\"repositoryUrl\":\"" + e2e.sampleRepository() + "\",\"branch\":\"main\"}" + trailer);
            expectRefused(violations, "PUT", e2e.gateway("/api/agent-config"), configToken,
                    "{\"provider\":\"local\",\"enabled\":true}" + trailer);
        }
        assertEquals(List.of(), violations);
    }

    @Test
    @Order(10)
    void wrongScalarTypesAreRefusedByTheRunServiceAndTheGateway() {
        List<String> violations = new ArrayList<>();
        for (JsonNode scalar : SCALARS) {
            for (String field : List.of("branch", "targetBranch", "instructions")) {
                ObjectNode body = obj(Map.of("repositoryUrl", e2e.sampleRepository(), "branch", "main"));
                body.set(field, scalar);
                expectRefused(violations, "POST", e2e.runs("/api/tasks/" + task + "/runs"), token, body.toString());
            }
            for (String field : List.of("model", "agent", "gitToken")) {
                ObjectNode config = obj(Map.of("provider", "local", "enabled", true));
                config.set(field, scalar);
                expectRefused(violations, "PUT", e2e.gateway("/api/agent-config"), configToken, config.toString());
            }
            expectRefused(violations, "POST", e2e.runs("/api/runs/" + run + "/followups"), token,
                    obj(Map.of()).set("instructions", scalar).toString());
        }
        expectRefused(violations, "PUT", e2e.gateway("/api/agent-config"), configToken, "{\"provider\":\"local\",\"enabled\":2}");
        assertEquals(List.of(), violations);
    }

    @Test
    @Order(11)
    void oversizeBodiesAndUrisAreRefusedWithAProblem() {
        List<String> violations = new ArrayList<>();
        for (String url : List.of(e2e.tasks("/api/briefs"), e2e.runs("/api/tasks/" + task + "/runs"), e2e.gateway("/webhooks/cursor/" + run))) {
            RawHttp.Answer answer = null;
            for (int attempt = 0; attempt < 3 && answer == null; attempt++) {
                try {
                    answer = new RawHttp().send("POST", url, withType(token), oversizeBody("title"));
                } catch (IllegalStateException e) {
                    // the server answered and closed while the body was still being sent: the client saw no answer
                }
            }
            if (answer == null) {
                violations.add("POST " + url + " with 5 MiB: the connection closed three times without an answer");
                continue;
            }
            if (answer.status() != 413 || !answer.isProblem()) {
                violations.add("POST " + url + " with 5 MiB: " + answer.brief());
            }
        }
        for (String url : List.of(e2e.tasks("/api/briefs/"), e2e.runs("/api/runs/"), e2e.gateway("/api/pull-requests/"),
                e2e.notifications("/api/events?taskId="))) {
            RawHttp.Answer answer = new RawHttp().send("GET", url + "x".repeat(10_000), RawHttp.auth(token), null);
            if (answer.status() != 414 || !answer.isProblem()) {
                violations.add("GET " + url + "x{10000}: " + answer.brief());
            }
        }
        assertEquals(List.of(), violations);
    }

    /**
     * v2: a workspace has at most HANDOFF_SSE_MAX_PER_WORKSPACE (50) open streams: of 51 opened at once exactly one is
     * refused, 429 {@code concurrency-limit} as problem+json with {@code Retry-After}, and another workspace still gets
     * its stream.
     */
    @Test
    @Order(12)
    void theFiftyFirstStreamOfAWorkspaceIsRefusedWith429AndRetryAfter() throws Exception {
        String workspaceToken = "Bearer " + e2e.jwt().admin(E2eStack.newWorkspace("fuzz-sse"));
        try (SseClient client = SseClient.of(e2e.notifications(""), 60)) {
            List<SseStream> streams = new ArrayList<>();
            for (int i = 0; i < 51; i++) {
                streams.add(client.open("/api/events", Map.of("Authorization", workspaceToken)));
            }
            java.util.concurrent.CompletableFuture.allOf(streams.stream().map(SseStream::status)
                    .toArray(java.util.concurrent.CompletableFuture[]::new)).get(60, java.util.concurrent.TimeUnit.SECONDS);
            List<SseStream> refused = streams.stream().filter(stream -> stream.statusCode() != 200).toList();
            assertEquals(1, refused.size(), "one of 51 refused: " + streams.stream().map(SseStream::statusCode).toList());
            SseStream tooMany = refused.get(0);
            assertEquals(429, tooMany.statusCode());
            assertTrue(Integer.parseInt(tooMany.retryAfter()) > 0, "Retry-After: " + tooMany.retryAfter());
            await().atMost(Duration.ofSeconds(30)).until(tooMany::hasEnded);
            assertTrue(tooMany.contentType().startsWith("application/problem+json"), tooMany.contentType());
            JsonNode problem = RawHttp.parse(tooMany.body());
            assertEquals("concurrency-limit", problem.path("code").asText(), tooMany.body());
            assertFalse(problem.path("detail").asText().isBlank(), tooMany.body());
            SseStream other = client.open("/api/events", Map.of("Authorization", "Bearer " + token));
            assertEquals(200, other.status().get(30, java.util.concurrent.TimeUnit.SECONDS), "another workspace's stream");
            streams.forEach(SseStream::close);
            other.close();
        }
    }

    private void expectRefused(List<String> violations, String method, String url, String token, String body) {
        RawHttp.Answer answer = http.send(method, url, withType(token), body.getBytes(StandardCharsets.UTF_8));
        if (answer.status() != 400 || !answer.isProblem() || !"validation-failed".equals(answer.code())) {
            violations.add(method + " " + url + " " + body + " -> " + answer.brief());
        }
    }

    // ---- generation ----

    private enum Kind { TEXT, BOOL, TEXTS, SUBTASKS, ENUM }

    private record Field(String name, Kind kind, boolean required, int max) {
    }

    private void generate() {
        String briefUrl = e2e.tasks("/api/briefs/" + brief);
        String taskUrl = e2e.tasks("/api/tasks/" + task);
        ObjectNode briefBody = obj(Map.of("title", "Fuzzed brief", "content", "# Fuzz"));
        List<Field> briefFields = List.of(new Field("title", Kind.TEXT, true, 200), new Field("content", Kind.TEXT, false, 1_048_576));
        ObjectNode taskBody = obj(Sample.task("Fuzzed task"));
        List<Field> taskFields = List.of(new Field("title", Kind.TEXT, true, 200), new Field("description", Kind.TEXT, false, 65_536),
                new Field("acceptanceCriteria", Kind.TEXTS, false, 50), new Field("subtasks", Kind.SUBTASKS, false, 100));
        ObjectNode launchBody = obj(Map.of("repositoryUrl", e2e.sampleRepository(), "branch", "main", "targetBranch", "fuzz/x",
                "instructions", "Be careful", "provider", "local"));
        List<Field> launchFields = List.of(new Field("repositoryUrl", Kind.TEXT, true, 2048), new Field("branch", Kind.TEXT, true, 255),
                new Field("targetBranch", Kind.TEXT, false, 255), new Field("instructions", Kind.TEXT, false, 10_000),
                new Field("provider", Kind.ENUM, false, 0));
        ObjectNode configBody = obj(Map.of("provider", "local", "enabled", true, "model", "m"));
        List<Field> configFields = List.of(new Field("provider", Kind.ENUM, true, 0), new Field("apiKey", Kind.TEXT, false, 1000),
                new Field("enabled", Kind.BOOL, true, 0), new Field("model", Kind.TEXT, false, 200),
                new Field("agent", Kind.TEXT, false, 64), new Field("gitToken", Kind.TEXT, false, 1000));

        // task-service
        bodies("POST /api/briefs", "POST", e2e.tasks("/api/briefs"), token, briefBody, briefFields);
        bodies("PUT /api/briefs/{id}", "PUT", briefUrl, token, briefBody, briefFields);
        bodies("POST /api/briefs/{id}/tasks", "POST", briefUrl + "/tasks", token, taskBody, taskFields);
        bodies("PUT /api/tasks/{id}", "PUT", taskUrl, token, taskBody, taskFields);
        subtaskIds("PUT /api/tasks/{id}", taskUrl, taskBody);
        imports("POST /api/briefs/{id}/tasks/import", briefUrl + "/tasks/import");
        ids("GET /api/briefs/{id}", "GET", e2e.tasks("/api/briefs/"), "", null);
        ids("PUT /api/briefs/{id}", "PUT", e2e.tasks("/api/briefs/"), "", briefBody);
        ids("DELETE /api/briefs/{id}", "DELETE", e2e.tasks("/api/briefs/"), "", null);
        idsOfListing("GET /api/briefs/{id}/tasks", e2e.tasks("/api/briefs/"), "/tasks");
        ids("POST /api/briefs/{id}/tasks", "POST", e2e.tasks("/api/briefs/"), "/tasks", taskBody);
        ids("POST /api/briefs/{id}/tasks/import", "POST", e2e.tasks("/api/briefs/"), "/tasks/import",
                obj(Map.of("tasks", List.of(Map.of("id", 1, "title", "x")))));
        ids("GET /api/tasks/{id}", "GET", e2e.tasks("/api/tasks/"), "", null);
        ids("PUT /api/tasks/{id}", "PUT", e2e.tasks("/api/tasks/"), "", taskBody);
        ids("DELETE /api/tasks/{id}", "DELETE", e2e.tasks("/api/tasks/"), "", null);
        ids("GET /api/tasks/{id}/agent-context", "GET", e2e.tasks("/api/tasks/"), "/agent-context", null);
        methods("task-service", e2e.tasks(""), List.of("PATCH /api/briefs", "DELETE /api/briefs", "PATCH /api/briefs/" + brief,
                "POST /api/briefs/" + brief, "PATCH /api/tasks/" + task, "POST /api/tasks/" + task, "GET /api/briefs/" + brief + "/tasks/import",
                "POST /api/tasks/" + task + "/agent-context"));
        unknownPaths("task-service", e2e.tasks(""), List.of("/api/nothing-here", "/api/briefs/" + brief + "/nothing", "/api/tasks/" + task + "/x/y"));

        // agent-run-service
        String launchUrl = e2e.runs("/api/tasks/" + task + "/runs");
        bodies("POST /api/tasks/{id}/runs", "POST", launchUrl, token, launchBody, launchFields, false);
        launches("POST /api/tasks/{id}/runs", launchUrl, launchBody);
        ids("POST /api/tasks/{id}/runs", "POST", e2e.runs("/api/tasks/"), "/runs", launchBody);
        idsOfListing("GET /api/tasks/{id}/runs", e2e.runs("/api/tasks/"), "/runs");
        ids("GET /api/runs/{id}", "GET", e2e.runs("/api/runs/"), "", null);
        ids("POST /api/runs/{id}/cancel", "POST", e2e.runs("/api/runs/"), "/cancel", null);
        ids("POST /api/runs/{id}/retry", "POST", e2e.runs("/api/runs/"), "/retry", null);
        add("POST /api/runs/{id}/cancel", "cancel a completed run", "POST", e2e.runs("/api/runs/" + run + "/cancel"), RawHttp.auth(token),
                null, Set.of(409), "run-not-cancellable");
        for (String status : List.of("bogus", "RUNNING;DROP", "1", "%00", "COMPLETED,FAILED", "x".repeat(5000), "null")) {
            add("GET /api/runs?status=", "status " + abbreviate(status), "GET",
                    e2e.runs("/api/runs?status=" + URLEncoder.encode(status, StandardCharsets.UTF_8)), RawHttp.auth(token), null,
                    BAD_INPUT, "validation-failed");
        }
        String followUpUrl = e2e.runs("/api/runs/" + run + "/followups");
        ObjectNode followUpBody = obj(Map.of("instructions", "Also greet in French"));
        bodies("POST /api/runs/{id}/followups", "POST", followUpUrl, token, followUpBody,
                List.of(new Field("instructions", Kind.TEXT, true, 10_000)));
        followUps("POST /api/runs/{id}/followups", followUpUrl, followUpBody);
        ids("POST /api/runs/{id}/followups", "POST", e2e.runs("/api/runs/"), "/followups", followUpBody);
        add("POST /api/tasks/{id}/runs", "agent context over 3 MiB", "POST", e2e.runs("/api/tasks/" + hugeTask + "/runs"),
                withType(token), bytes(launchBody), Set.of(422), "context-too-large");
        methods("agent-run-service", e2e.runs(""), List.of("GET /api/runs/" + run + "/followups", "PUT /api/runs/" + run + "/followups",
                "DELETE /api/runs/" + run + "/followups"));
        methods("agent-run-service", e2e.runs(""), List.of("PUT /api/runs/" + run, "DELETE /api/runs/" + run, "PATCH /api/runs/" + run,
                "GET /api/runs/" + run + "/cancel", "GET /api/runs/" + run + "/retry", "DELETE /api/tasks/" + task + "/runs", "POST /api/runs"));
        unknownPaths("agent-run-service", e2e.runs(""), List.of("/api/nothing-here", "/api/runs/" + run + "/resume"));

        // provider-gateway
        bodies("PUT /api/agent-config", "PUT", e2e.gateway("/api/agent-config"), configToken, configBody, configFields, false);
        configs("PUT /api/agent-config", e2e.gateway("/api/agent-config"));
        ids("GET /api/pull-requests/{id}", "GET", e2e.gateway("/api/pull-requests/"), "", null);
        webhooks("POST /webhooks/cursor/{runId}");
        methods("provider-gateway", e2e.gateway(""), List.of("PATCH /api/agent-config", "POST /api/agent-config",
                "DELETE /api/pull-requests/" + pullRequest, "PUT /api/pull-requests/" + pullRequest, "GET /webhooks/cursor/" + run,
                "PUT /webhooks/cursor/" + run));
        unknownPaths("provider-gateway", e2e.gateway(""), List.of("/api/nothing-here", "/api/pull-requests", "/webhooks/github/" + run));

        // notification-service
        events("GET /api/events");
        activity("GET /api/activity");
        methods("notification-service", e2e.notifications(""), List.of("POST /api/events", "PUT /api/events", "DELETE /api/events"));
        unknownPaths("notification-service", e2e.notifications(""), List.of("/api/nothing-here", "/api/events/1"));

        // every list of the contract, with a limit and a cursor that are none (v2 "Lists, updates, sizes")
        pages("GET /api/briefs", e2e.tasks("/api/briefs"));
        pages("GET /api/briefs/{id}/tasks", briefUrl + "/tasks");
        pages("GET /api/tasks/{id}/runs", e2e.runs("/api/tasks/" + task + "/runs"));
        pages("GET /api/runs", e2e.runs("/api/runs"));
        pages("GET /api/runs?status=", e2e.runs("/api/runs?status=COMPLETED"));
        pages("GET /api/webhooks", e2e.notifications("/api/webhooks"));
        pages("GET /api/webhooks/{id}/deliveries", e2e.notifications("/api/webhooks/" + UUID.randomUUID() + "/deliveries"));
    }

    /** Malformed bodies, wrong content types, and every field broken in every way its type allows. */
    private void bodies(String endpoint, String method, String url, String token, ObjectNode valid, List<Field> fields) {
        bodies(endpoint, method, url, token, valid, fields, true);
    }

    /**
     * {@code strictScalars}: also send numbers and booleans where text is expected (and numbers for booleans); the run
     * service and the gateway coerce those today (see wrongScalarTypesAreRefusedByTheRunServiceAndTheGateway).
     */
    private void bodies(String endpoint, String method, String url, String token, ObjectNode valid, List<Field> fields,
            boolean strictScalars) {
        List<String> notJson = List.of("", "{", "}", "{\"title\":", "{\"title\" \"x\"}", "nul", "[1,2", "{'title':'single quotes'}",
                "<brief><title>x</title></brief>", "title=x&content=y", "\u0000\u0001\u0002",
                "\uFEFF{}garbage", "{\"title\":\"unterminated}", "{\"a\":1,}", "NaN", "/* comment */ {}");
        for (String text : notJson) {
            json(endpoint, "not JSON: " + abbreviate(text), method, url, token, text.getBytes(StandardCharsets.UTF_8), BAD_INPUT, "validation-failed");
        }
        byte[] random = new byte[2048];
        new Random(11).nextBytes(random);
        json(endpoint, "random bytes", method, url, token, random, BAD_INPUT, "validation-failed");
        for (String text : List.of("null", "[]", "[{}]", "42", "\"a string\"", "true", "{}")) {
            json(endpoint, "top level " + text, method, url, token, text.getBytes(StandardCharsets.UTF_8), BAD_INPUT, "validation-failed");
        }
        byte[] validBytes = bytes(valid);
        for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=xyz", "application/octet-stream", "text/html; charset=utf-8")) {
            Map<String, String> headers = RawHttp.auth(token);
            headers.put("Content-Type", type);
            add(endpoint, "content type " + type, method, url, headers, validBytes, Set.of(400, 415), null);
        }
        json(endpoint, "deep array 5000", method, url, token, deep(valid, fields.get(0).name(), 5000, '[', ']'), BAD_INPUT, "validation-failed");
        json(endpoint, "deep object 5000", method, url, token, deepObject(5000), BAD_INPUT, "validation-failed");
        json(endpoint, "deep array 100000", method, url, token, deep(valid, fields.get(0).name(), 100_000, '[', ']'), BAD_INPUT, "validation-failed");
        json(endpoint, "unknown field", method, url, token, bytes(valid.deepCopy().put("unexpected", 1)), BAD_INPUT, "validation-failed");
        json(endpoint, "unknown field __proto__", method, url, token, bytes(with(valid, "__proto__", obj(Map.of("admin", true)))), BAD_INPUT, "validation-failed");
        json(endpoint, "workspace smuggled in the body", method, url, token, bytes(valid.deepCopy().put("workspaceId", "someone-else")), BAD_INPUT, "validation-failed");
        if (!method.equals("PUT") || !url.startsWith(e2e.tasks(""))) {
            // contract v2: a task-service PUT takes what GET answers, read-only fields (id, a subtask's position) are ignored
            json(endpoint, "id smuggled in the body", method, url, token, bytes(valid.deepCopy().put("id", UUID.randomUUID().toString())), BAD_INPUT, "validation-failed");
        }
        add(endpoint, "body over the 4M limit", method, url, withType(token), oversizeBody(fields.get(0).name()), Set.of(413), null);
        for (Field field : fields) {
            String f = field.name();
            if (field.required()) {
                ObjectNode missing = valid.deepCopy();
                missing.remove(f);
                json(endpoint, f + " missing", method, url, token, bytes(missing), BAD_INPUT, "validation-failed");
                json(endpoint, f + " null", method, url, token, bytes(valid.deepCopy().putNull(f)), BAD_INPUT, "validation-failed");
            }
            List<JsonNode> wrong = new ArrayList<>(List.of(NODES.objectNode(), NODES.objectNode().put("$ne", 1)));
            switch (field.kind()) {
                case TEXT, ENUM -> {
                    wrong.addAll(List.of(NODES.arrayNode(), NODES.arrayNode().add("in an array")));
                    if (strictScalars || field.kind() == Kind.ENUM) {
                        wrong.addAll(SCALARS);
                    }
                    if (field.required()) {
                        wrong.addAll(List.of(NODES.textNode(""), NODES.textNode("   "), NODES.textNode("\t\n")));
                    }
                }
                case BOOL -> {
                    wrong.addAll(List.of(NODES.arrayNode(), NODES.textNode("yes"), NODES.textNode("maybe"), NODES.arrayNode().add(true)));
                    if (strictScalars) {
                        wrong.add(NODES.numberNode(2));
                    }
                }
                case TEXTS -> wrong.addAll(List.of(NODES.textNode("a string"), NODES.numberNode(1), NODES.booleanNode(true),
                        NODES.arrayNode().add(1), NODES.arrayNode().addNull(), NODES.arrayNode().add(""),
                        NODES.arrayNode().add(NODES.arrayNode()), NODES.arrayNode().add(NODES.objectNode())));
                case SUBTASKS -> {
                    wrong.addAll(List.of(NODES.textNode("a string"), NODES.numberNode(1),
                            NODES.arrayNode().add("x"), NODES.arrayNode().addNull(), NODES.arrayNode().add(NODES.objectNode()),
                            NODES.arrayNode().add(obj(Map.of("title", ""))), NODES.arrayNode().add(obj(Map.of("title", 5))),
                            NODES.arrayNode().add(obj(Map.of("title", "t", "id", "not-a-uuid"))),
                            NODES.arrayNode().add(obj(Map.of("title", "t", "id", UUID.randomUUID().toString()))),
                            NODES.arrayNode().add(obj(Map.of("title", "t", "description", 7)))));
                    if (!method.equals("PUT")) {
                        // contract v2: a PUT takes what GET answers, a subtask's read-only position is ignored there
                        wrong.add(NODES.arrayNode().add(obj(Map.of("title", "t", "position", 1))));
                    }
                }
            }
            for (JsonNode value : wrong) {
                json(endpoint, f + " = " + abbreviate(value.toString()), method, url, token, bytes(with(valid, f, value)), BAD_INPUT,
                        "validation-failed");
            }
            switch (field.kind()) {
                case TEXT -> {
                    json(endpoint, f + " one over " + field.max(), method, url, token, bytes(with(valid, f, NODES.textNode("x".repeat(field.max() + 1)))),
                            BAD_INPUT, "validation-failed");
                    if (field.max() <= 100_000) {
                        json(endpoint, f + " of 1 MiB", method, url, token, bytes(with(valid, f, NODES.textNode("y".repeat(1 << 20)))),
                                BAD_INPUT, "validation-failed");
                    }
                }
                case ENUM -> {
                    for (String bad : List.of("gitlab", "LOCAL", "Cursor", " local", "local ", "local\u0000", "github-copilot",
                            "../local", "*", "codex")) {
                        json(endpoint, f + " = " + abbreviate(bad), method, url, token, bytes(with(valid, f, NODES.textNode(bad))), BAD_INPUT,
                                "validation-failed");
                    }
                }
                case TEXTS -> {
                    ArrayNode many = NODES.arrayNode();
                    for (int i = 0; i <= field.max(); i++) {
                        many.add("criterion " + i);
                    }
                    json(endpoint, f + " with " + (field.max() + 1) + " items", method, url, token, bytes(with(valid, f, many)), BAD_INPUT,
                            "validation-failed");
                    json(endpoint, f + " with an item of 2001 characters", method, url, token,
                            bytes(with(valid, f, NODES.arrayNode().add("z".repeat(2001)))), BAD_INPUT, "validation-failed");
                }
                case SUBTASKS -> {
                    ArrayNode many = NODES.arrayNode();
                    for (int i = 0; i <= field.max(); i++) {
                        many.add(obj(Map.of("title", "step " + i)));
                    }
                    json(endpoint, f + " with " + (field.max() + 1) + " items", method, url, token, bytes(with(valid, f, many)), BAD_INPUT,
                            "validation-failed");
                    json(endpoint, f + " with a title of 201 characters", method, url, token,
                            bytes(with(valid, f, NODES.arrayNode().add(obj(Map.of("title", "t".repeat(201)))))), BAD_INPUT, "validation-failed");
                    json(endpoint, f + " with a description over 64 KiB", method, url, token,
                            bytes(with(valid, f, NODES.arrayNode().add(obj(Map.of("title", "t", "description", "d".repeat(65_537)))))),
                            BAD_INPUT, "validation-failed");
                }
                default -> {
                }
            }
        }
    }

    /** A subtask id a client may not name: another task's, repeated, random. */
    private void subtaskIds(String endpoint, String url, ObjectNode valid) {
        ArrayNode twice = NODES.arrayNode().add(obj(Map.of("id", subtask, "title", "a"))).add(obj(Map.of("id", subtask, "title", "b")));
        json(endpoint, "the same subtask id twice", "PUT", url, token, bytes(with(valid, "subtasks", twice)), BAD_INPUT, "validation-failed");
    }

    private void imports(String endpoint, String url) {
        List<String> files = new ArrayList<>(List.of("{}", "{\"tasks\":{}}", "{\"tasks\":\"x\"}", "{\"tasks\":[]}", "{\"tasks\":[1]}",
                "{\"tasks\":[null]}", "{\"tasks\":[{}]}", "{\"tasks\":[{\"id\":1}]}", "{\"tasks\":[{\"id\":1,\"title\":5}]}",
                "{\"tasks\":[{\"id\":1,\"title\":\"\"}]}", "{\"tasks\":[{\"id\":1,\"title\":\"t\",\"subtasks\":\"x\"}]}",
                "{\"tasks\":[{\"id\":1,\"title\":\"t\",\"subtasks\":[5]}]}", "{\"tasks\":[{\"id\":1,\"title\":\"t\",\"subtasks\":[{}]}]}",
                "{\"tasks\":[{\"id\":1,\"title\":\"t\",\"description\":7}]}", "{\"tasks\":[{\"id\":1,\"title\":\"t\",\"dependencies\":\"x\"}]}",
                "{\"tasks\":[{\"id\":1,\"title\":\"t\",\"dependencies\":[{}]}]}", "{\"tasks\":[{\"id\":{},\"title\":\"t\"}]}",
                "{\"master\":{\"tasks\":5}}", "{\"master\":{\"tasks\":[]},\"other\":{\"tasks\":[]}}",
                "{\"tasks\":[{\"id\":1,\"title\":\"" + "t".repeat(201) + "\"}]}",
                "{\"tasks\":[{\"id\":1,\"title\":\"t\",\"details\":\"" + "d".repeat(70_000) + "\"}]}"));
        StringBuilder many = new StringBuilder("{\"tasks\":[");
        for (int i = 0; i < 501; i++) {
            many.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"title\":\"t").append(i).append("\"}");
        }
        files.add(many.append("]}").toString());
        StringBuilder steps = new StringBuilder("{\"tasks\":[{\"id\":1,\"title\":\"t\",\"subtasks\":[");
        for (int i = 0; i < 101; i++) {
            steps.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"title\":\"s\"}");
        }
        files.add(steps.append("]}]}").toString());
        for (String file : files) {
            json(endpoint, "file " + abbreviate(file), "POST", url, token, file.getBytes(StandardCharsets.UTF_8), BAD_INPUT, "validation-failed");
        }
        String good = "{\"tasks\":[{\"id\":1,\"title\":\"t\"}]}";
        for (String tag : List.of("nope", "../master", "x".repeat(3000))) {
            json(endpoint, "tag " + abbreviate(tag), "POST", url + "?tag=" + URLEncoder.encode(tag, StandardCharsets.UTF_8), token,
                    good.replace("{\"tasks\"", "{\"master\":{\"tasks\"").replace("]}", "]}}").getBytes(StandardCharsets.UTF_8),
                    BAD_INPUT, "validation-failed");
        }
        for (String bad : List.of("not JSON", "[", "null", "[]")) {
            json(endpoint, "not a file: " + bad, "POST", url, token, bad.getBytes(StandardCharsets.UTF_8), BAD_INPUT, "validation-failed");
        }
        json(endpoint, "deep", "POST", url, token, deepObject(5000), BAD_INPUT, "validation-failed");
        add(endpoint, "body over the 4M limit", "POST", url, withType(token), oversizeBody("tasks"), Set.of(413), null);
    }

    /** Repository URLs and branch names that are no such thing, Idempotency-Keys that are no key. */
    private void launches(String endpoint, String url, ObjectNode valid) {
        for (String bad : List.of("not a url", "ftp://example.com/x.git", "http://github.com/acme/x.git", "javascript:alert(1)",
                "https://", "https:///path-only", "file:relative/path", "file:", "https://user:secret@github.com/acme/x.git",
                "ssh://user:pw@host/x.git", "ext::sh -c id", "--upload-pack=touch /tmp/x", "-oProxyCommand=x", "git@host",
                "https://github.com/acme/x.git\nhttps://evil", "https://github.com/acme/x .git", "\\\\server\\share", "data:text/plain,x",
                "https://github.com/" + "a".repeat(2100))) {
            json(endpoint, "repositoryUrl " + abbreviate(bad), "POST", url, token, bytes(with(valid, "repositoryUrl", NODES.textNode(bad))),
                    BAD_INPUT, "validation-failed");
        }
        json(endpoint, "file:// with the cursor provider", "POST", url, token, bytes(with(valid, "provider", NODES.textNode("cursor"))),
                BAD_INPUT, "validation-failed");
        for (String bad : List.of("-x", "--upload-pack=x", "a..b", "a b", "a~b", "a^b", "a:b", "a?b", "a*b", "a[b", "a\\b", "/a", "a/",
                "a.", ".a", "a/.b", "a.lock", "@", "a@{b", "a//b", "a\u0000b", "a\u007fb", "b".repeat(256), "main; rm -rf /", "$(id) x")) {
            json(endpoint, "branch " + abbreviate(bad), "POST", url, token, bytes(with(valid, "branch", NODES.textNode(bad))), BAD_INPUT,
                    "validation-failed");
            json(endpoint, "targetBranch " + abbreviate(bad), "POST", url, token, bytes(with(valid, "targetBranch", NODES.textNode(bad))),
                    BAD_INPUT, "validation-failed");
        }
        idempotencyKeysAndConfiguration(endpoint, url, valid);
    }

    /** Idempotency-Keys that are no key; then a valid request, refused because agents are disabled in this workspace. */
    private void idempotencyKeysAndConfiguration(String endpoint, String url, ObjectNode valid) {
        for (String key : List.of("k".repeat(256), "with space", "tab\there", "k".repeat(10_000))) {
            Map<String, String> headers = withType(token);
            headers.put("Idempotency-Key", key);
            add(endpoint, "Idempotency-Key " + abbreviate(key), "POST", url, headers, bytes(valid), Set.of(400, 431), null);
        }
        // validation first, then the workspace's configuration: agents are disabled here
        json(endpoint, "agents disabled", "POST", url, token, bytes(valid), Set.of(422), "agents-disabled");
    }

    /** A follow-up of another workspace's run, or with what only a launch takes. */
    private void followUps(String endpoint, String url, ObjectNode valid) {
        json(endpoint, "another workspace's run", "POST", url, configToken, bytes(valid), Set.of(404), "not-found");
        for (String field : List.of("repositoryUrl", "branch", "targetBranch", "provider")) {
            json(endpoint, field + " of a launch", "POST", url, token, bytes(valid.deepCopy().put(field, "main")), BAD_INPUT,
                    "validation-failed");
        }
        idempotencyKeysAndConfiguration(endpoint, url, valid);
    }

    /** A run's activity: a run id that is none, or another workspace's; {@code after} and {@code limit} out of range. */
    private void activity(String endpoint) {
        String url = e2e.notifications("/api/activity");
        for (String query : List.of("", "?runId=", "?runId=%20", "?after=0&limit=10", "?runid=" + run)) {
            add(endpoint, "query " + abbreviate(query), "GET", url + query, RawHttp.auth(token), null, BAD_INPUT, "validation-failed");
        }
        for (String id : badIds()) {
            add(endpoint, "runId " + abbreviate(id), "GET", url + "?runId=" + id, RawHttp.auth(token), null, BAD_ID, null);
        }
        add(endpoint, "another workspace's run", "GET", url + "?runId=" + run, RawHttp.auth(configToken), null, Set.of(404), "not-found");
        for (String after : List.of("-1", "abc", "1.5", "99999999999999999999", "1e3", "0x10", "%00", "", "-9223372036854775808")) {
            add(endpoint, "after " + abbreviate(after), "GET", url + "?runId=" + run + "&after=" + after, RawHttp.auth(token), null,
                    BAD_INPUT, "validation-failed");
        }
        for (String limit : badLimits()) {
            add(endpoint, "limit " + abbreviate(limit), "GET", url + "?runId=" + run + "&limit=" + limit, RawHttp.auth(token), null,
                    BAD_INPUT, "validation-failed");
        }
    }

    /** A list's {@code limit} out of 1-200 or not a number, and cursors that are not the list's own. */
    private void pages(String endpoint, String url) {
        String join = url.contains("?") ? "&" : "?";
        for (String limit : badLimits()) {
            add(endpoint, "limit " + abbreviate(limit), "GET", url + join + "limit=" + limit, RawHttp.auth(token), null, BAD_INPUT,
                    "validation-failed");
        }
        String base64 = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("1|briefs|2026-01-01T00:00:00Z|1' OR '1'='1".getBytes(StandardCharsets.UTF_8));
        for (String cursor : List.of("", "garbage", "%00", "!!!!", "x".repeat(600), base64, "MXxub3RoaW5nfHh8eQ",
                URLEncoder.encode("' OR 1=1 --", StandardCharsets.UTF_8), "null", "-1")) {
            add(endpoint, "cursor " + abbreviate(cursor), "GET", url + join + "cursor=" + cursor, RawHttp.auth(token), null,
                    BAD_INPUT, "validation-failed");
        }
    }

    private static List<String> badLimits() {
        return List.of("0", "-1", "201", "100000", "99999999999999999999", "abc", "1.5", "", "%00", "1e2", "0x10");
    }

    /** What PUT /api/agent-config refuses beyond the generic field breakage: key rules and Cursor's verdict. */
    private void configs(String endpoint, String url) {
        List<Map<String, Object>> bodies = List.of(
                Map.of("provider", "cursor", "enabled", true),
                Map.of("provider", "cursor", "enabled", true, "apiKey", ""),
                Map.of("provider", "cursor", "enabled", true, "apiKey", "   "),
                Map.of("provider", "local", "enabled", true, "apiKey", "a-key-for-local"),
                Map.of("provider", "cursor", "enabled", true, "apiKey", "a-key-cursor-refuses"),
                Map.of("provider", "cursor", "enabled", true, "apiKey", "' OR 1=1 --"),
                Map.of("provider", "cursor", "enabled", true, "apiKey", "key\r\nX-Injected: 1"),
                Map.of("provider", "cursor", "enabled", true, "apiKey", "k".repeat(1001)));
        List<Set<Integer>> expected = List.of(BAD_INPUT, BAD_INPUT, BAD_INPUT, BAD_INPUT, Set.of(422), Set.of(422), Set.of(400, 422), BAD_INPUT);
        List<String> codes = java.util.Arrays.asList("validation-failed", "validation-failed", "validation-failed",
                "validation-failed", "provider-rejected-key", "provider-rejected-key", null, "validation-failed");
        for (int i = 0; i < bodies.size(); i++) {
            json(endpoint, "config " + abbreviate(bodies.get(i).toString()), "PUT", url, configToken, bytes(obj(bodies.get(i))),
                    expected.get(i), codes.get(i));
        }
        // v2: an agent preset the operator did not enable (this stack enables only its custom command), or for Cursor;
        // the enabled presets are what the answer lists, never what a client sets
        for (String agent : List.of("no-such-agent", "Custom", "custom ", "../custom", "custom\u0000", "*", "claude-code; id")) {
            json(endpoint, "agent " + abbreviate(agent), "PUT", url, configToken,
                    bytes(obj(Map.of("provider", "local", "enabled", true, "agent", agent))), BAD_INPUT, "validation-failed");
        }
        json(endpoint, "agent for cursor", "PUT", url, configToken,
                bytes(obj(Map.of("provider", "cursor", "enabled", true, "apiKey", "k", "agent", "custom"))), BAD_INPUT, "validation-failed");
        json(endpoint, "agents set by a client", "PUT", url, configToken,
                bytes(obj(Map.of("provider", "local", "enabled", true, "agents", List.of("claude-code")))), BAD_INPUT, "validation-failed");
    }

    private void webhooks(String endpoint) {
        byte[] body = "{\"event\":\"statusChange\",\"id\":\"bc_x\",\"status\":\"FINISHED\"}".getBytes(StandardCharsets.UTF_8);
        for (String id : badIds()) {
            Map<String, String> headers = new LinkedHashMap<>(Map.of("Content-Type", "application/json", "X-Webhook-Signature",
                    "sha256=" + "0".repeat(64)));
            add(endpoint, "run id " + abbreviate(id), "POST", e2e.gateway("/webhooks/cursor/" + id), headers, body, Set.of(401, 404), null);
        }
        String url = e2e.gateway("/webhooks/cursor/" + run);
        for (String signature : List.of("", "sha256=", "sha256=zz", "sha1=abc", "sha256=" + "0".repeat(64), "sha256=" + "a".repeat(10_000))) {
            Map<String, String> headers = new LinkedHashMap<>(Map.of("Content-Type", "application/json"));
            if (!signature.isEmpty()) {
                headers.put("X-Webhook-Signature", signature);
            }
            add(endpoint, "signature " + abbreviate(signature), "POST", url, headers, body, Set.of(401, 431), null);
        }
        for (String text : List.of("", "not json", "{", "null", "[]")) {
            add(endpoint, "unsigned body " + abbreviate(text), "POST", url, new LinkedHashMap<>(Map.of("Content-Type", "application/json")),
                    text.getBytes(StandardCharsets.UTF_8), Set.of(401), "unauthorized");
        }
        add(endpoint, "body over the 4M limit", "POST", url, new LinkedHashMap<>(Map.of("Content-Type", "application/json")),
                oversizeBody("status"), Set.of(413), null);
        add(endpoint, "deep unsigned body", "POST", url, new LinkedHashMap<>(Map.of("Content-Type", "application/json")),
                deepObject(100_000), Set.of(401), "unauthorized");
    }

    private void events(String endpoint) {
        List<String> queries = new ArrayList<>();
        for (String id : badIds()) {
            if (id.matches("(?i)[0-9a-f-]{36}(%20)?")) {
                continue; // a well-formed id of nothing is a stream with no events
            }
            queries.add("taskId=" + id);
            queries.add("runId=" + id);
        }
        for (String last : List.of("-1", "abc", "1.5", "99999999999999999999", "1e9", "0x10", "%00")) {
            queries.add("lastEventId=" + URLEncoder.encode(last, StandardCharsets.UTF_8));
        }
        for (String query : queries) {
            Map<String, String> headers = RawHttp.auth(token);
            headers.put("Accept", "text/event-stream");
            add(endpoint, abbreviate(query), "GET", e2e.notifications("/api/events?" + query), headers, null, BAD_INPUT, "validation-failed");
        }
        for (String last : List.of("-5", "not-a-number", "1;2", "x".repeat(2000))) {
            Map<String, String> headers = RawHttp.auth(token);
            headers.put("Accept", "text/event-stream");
            headers.put("Last-Event-ID", last);
            add(endpoint, "Last-Event-ID " + abbreviate(last), "GET", e2e.notifications("/api/events"), headers, null, BAD_INPUT,
                    "validation-failed");
        }
    }

    /** Ids that are not UUIDs (400 or 404) and a UUID nobody has (404). */
    private static List<String> badIds() {
        return List.of("not-a-uuid", "123", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "%00", "..%2F..%2Fetc%2Fpasswd",
                URLEncoder.encode("' OR '1'='1", StandardCharsets.UTF_8), "%F0%9F%92%A9", "x".repeat(5000),
                UUID.randomUUID().toString(), "00000000-0000-0000-0000-000000000000", UUID.randomUUID().toString().toUpperCase(),
                UUID.randomUUID() + "%20", "-1", "null");
    }

    private void ids(String endpoint, String method, String prefix, String suffix, ObjectNode body) {
        for (String id : badIds()) {
            Map<String, String> headers = body == null ? RawHttp.auth(token) : withType(token);
            add(endpoint, "id " + abbreviate(id), method, prefix + id + suffix, headers, body == null ? null : bytes(body), BAD_ID, null);
        }
    }

    /** A listing under an id: an unknown but well-formed id may answer an empty list. */
    private void idsOfListing(String endpoint, String prefix, String suffix) {
        for (String id : badIds()) {
            add(endpoint, "id " + abbreviate(id), "GET", prefix + id + suffix, RawHttp.auth(token), null, BAD_ID_OR_EMPTY, null);
        }
    }

    private void methods(String service, String base, List<String> calls) {
        for (String call : calls) {
            String method = call.substring(0, call.indexOf(' '));
            String path = call.substring(call.indexOf(' ') + 1);
            Map<String, String> headers = withType(token);
            add(service + " methods", call, method, base + path, headers, method.equals("GET") || method.equals("DELETE") ? null : "{}".getBytes(),
                    Set.of(404, 405), null);
        }
    }

    private void unknownPaths(String service, String base, List<String> paths) {
        for (String path : paths) {
            add(service + " unknown paths", "GET " + path, "GET", base + path, RawHttp.auth(token), null, Set.of(404, 405), null);
        }
    }

    // ---- helpers ----

    private void json(String endpoint, String label, String method, String url, String token, byte[] body, Set<Integer> expected,
            String code) {
        add(endpoint, label, method, url, withType(token), body, expected, code);
    }

    private void add(String endpoint, String label, String method, String url, Map<String, String> headers, byte[] body,
            Set<Integer> expected, String code) {
        // refused before the application reads it (RequestLimits): over the body limit, or a request target over 8 KiB
        boolean httpLayer = expected.equals(Set.of(413)) || url.length() > 8192;
        probes.add(new Probe(endpoint, label, method, url, headers, body, httpLayer ? Set.of(413, 414) : expected,
                httpLayer ? null : code, true));
    }

    private RawHttp.Answer send(Probe probe) {
        RawHttp.Answer answer;
        try {
            answer = sendOnce(http, probe);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // a pooled connection the server had closed (after a 413 or 414 it closes without saying so): once more, fresh
            // an oversize body may even be cut off before its 413 can be read: such a probe gets a few more tries
            int tries = probe.expected().contains(413) ? 5 : 1;
            answer = null;
            for (int attempt = 0; attempt < tries && answer == null; attempt++) {
                reconnects.incrementAndGet();
                try {
                    answer = sendOnce(new RawHttp(), probe);
                } catch (IllegalStateException | IllegalArgumentException again) {
                    if (attempt == tries - 1) {
                        answer = new RawHttp.Answer(599, null, "the request could not be completed: " + again.getMessage(), null,
                                Map.of());
                    }
                }
            }
        }
        return tracked(answer, serviceOf(probe.url()));
    }

    private static RawHttp.Answer sendOnce(RawHttp client, Probe probe) {
        return probe.url().contains("/api/events") && probe.method().equals("GET")
                ? client.stream(probe.url(), probe.headers())
                : client.send(probe.method(), probe.url(), probe.headers(), probe.body());
    }

    private RawHttp.Answer tracked(RawHttp.Answer answer, String service) {
        byStatus.merge(String.valueOf(answer.status()), 1, Integer::sum);
        byService.merge(service, 1, Integer::sum);
        return answer;
    }

    private String serviceOf(String url) {
        int port = Integer.parseInt(url.replaceFirst("^http://[^:]+:(\\d+).*$", "$1"));
        return port == e2e.ports().tasks() ? "tasks" : port == e2e.ports().runs() ? "runs"
                : port == e2e.ports().gateway() ? "gateway" : "notifications";
    }

    private void check(List<String> violations, String what, RawHttp.Answer answer, java.util.function.Predicate<RawHttp.Answer> verbatim) {
        if (answer.status() >= 200 && answer.status() < 300) {
            if (!verbatim.test(answer)) {
                violations.add(what + ": accepted but not stored verbatim: " + answer.brief());
            } else {
                acceptedAnswers.add(what);
            }
        } else {
            refusedOrViolation(violations, what, answer, Set.of(400, 422));
        }
    }

    private static void refusedOrViolation(List<String> violations, String what, RawHttp.Answer answer, Set<Integer> allowed) {
        if (answer.status() >= 500) {
            violations.add(what + ": 5xx: " + answer.brief());
        } else if (!allowed.contains(answer.status())) {
            violations.add(what + ": status " + answer.status() + " (expected " + allowed + "): " + answer.brief());
        } else if (!answer.isProblem() || answer.code() == null || answer.detail() == null || answer.detail().isBlank()) {
            violations.add(what + ": not a problem+json with code and detail: " + answer.brief());
        }
    }

    private JsonNode awaitFinal(Api client, String runId) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> {
            last.set(client.run(runId));
            return Set.of("COMPLETED", "FAILED", "CANCELLED").contains(last.get().get("status").asText());
        });
        return last.get();
    }

    /**
     * A brief of 1 MiB and a task with 100 subtasks of 25,000 characters: every field within its limit and each body
     * under 4 MiB, but together an agent context of about 3.6 MB.
     */
    private String hugeTask() {
        String briefId = api.expect(201, api.send("POST", e2e.tasks("/api/briefs"),
                Map.of("title", "A huge brief", "content", "b".repeat(1_048_576)))).get("id").asText();
        List<Map<String, String>> subtasks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            subtasks.add(Map.of("title", "step " + i, "description", "s".repeat(25_000)));
        }
        return api.expect(201, api.send("POST", e2e.tasks("/api/briefs/" + briefId + "/tasks"),
                Map.of("title", "A huge task", "subtasks", subtasks))).get("id").asText();
    }

    private Map<String, JsonNode> fixtures() {
        Map<String, JsonNode> now = new LinkedHashMap<>();
        now.put("brief", api.get(e2e.tasks("/api/briefs/" + brief)).json());
        now.put("briefs", api.get(e2e.tasks("/api/briefs")).json());
        now.put("task", api.get(e2e.tasks("/api/tasks/" + task)).json());
        now.put("runs", api.get(e2e.runs("/api/tasks/" + task + "/runs")).json());
        now.put("pull request", api.get(e2e.gateway("/api/pull-requests/" + pullRequest)).json());
        now.put("config", api.get(e2e.gateway("/api/agent-config")).json());
        now.put("config of the config workspace", new Api(e2e, configToken).get(e2e.gateway("/api/agent-config")).json());
        return now;
    }

    private void awaitQuiet() {
        AtomicReference<Map<String, Long>> previous = new AtomicReference<>(e2e.databases().rowCounts());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            Map<String, Long> now = e2e.databases().rowCounts();
            return Objects.equals(previous.getAndSet(now), now);
        });
    }

    private Map<String, String> withType(String token) {
        Map<String, String> headers = RawHttp.auth(token);
        headers.put("Content-Type", "application/json");
        return headers;
    }

    private static ObjectNode obj(Map<String, ?> map) {
        return JSON.valueToTree(map);
    }

    private static ObjectNode with(ObjectNode valid, String field, JsonNode value) {
        ObjectNode copy = valid.deepCopy();
        copy.set(field, value);
        return copy;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The valid body with one field replaced by {@code depth} nested arrays (built as text: Jackson would refuse to write it). */
    private static byte[] deep(ObjectNode valid, String field, int depth, char open, char close) {
        ObjectNode copy = valid.deepCopy();
        copy.put(field, "@@DEEP@@");
        String text = copy.toString();
        String nested = String.valueOf(open).repeat(depth) + String.valueOf(close).repeat(depth);
        return text.replace("\"@@DEEP@@\"", nested).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] deepObject(int depth) {
        return ("{\"a\":".repeat(depth) + "1" + "}".repeat(depth)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] oversizeBody(String field) {
        return ("{\"" + field + "\":\"" + "o".repeat(5 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        String shown = text.replace("\u0000", "\\0").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
        return shown.length() > 40 ? shown.substring(0, 40) + "...(" + text.length() + ")" : shown;
    }

    private static String show(String injection) {
        return "\"" + abbreviate(injection) + "\"";
    }
}
