package dev.handoff.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.e2e.chaos.RawHttp;
import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import dev.handoff.testsupport.TokenSigner;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two workspaces on one stack: B's tokens (admin and member) reach nothing of A's through any endpoint and B's event
 * stream carries nothing of A's; no token, or a broken one, is 401 everywhere under /api; a member cannot change the
 * agent configuration.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Order(3)
class WorkspaceIsolationTest {

    private E2eStack e2e;
    private final RawHttp http = new RawHttp();
    private Api a;
    private String workspaceA;
    private String workspaceB;
    private String briefA;
    private String taskA;
    private String runA;
    private String pullRequestA;
    private final Map<String, Integer> tried = new TreeMap<>();

    /** One call: what to send and the path it goes to. */
    private record Call(String method, String url, Object body) {
        @Override
        public String toString() {
            return method + " " + url;
        }
    }

    @BeforeAll
    void workspaceAHasABriefATaskACompletedRunAndAPullRequest() {
        e2e = E2eStack.get();
        workspaceA = E2eStack.newWorkspace("iso-a");
        workspaceB = E2eStack.newWorkspace("iso-b");
        a = new Api(e2e, e2e.jwt().admin(workspaceA));
        a.expect(200, a.send("PUT", e2e.gateway("/api/agent-config"),
                Map.of("provider", "local", "enabled", true, "model", "model-of-a")));
        briefA = a.newBrief();
        taskA = a.newTask(briefA, "Isolated task of A");
        runA = a.launch(taskA, Map.of("repositoryUrl", e2e.sampleRepository(), "branch", "main")).get("id").asText();
        JsonNode run = a.awaitStatus(runA, "COMPLETED", Duration.ofSeconds(90));
        String url = run.path("pullRequest").path("url").asText();
        pullRequestA = url.substring(url.lastIndexOf('/') + 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> "COMPLETED".equals(
                a.get(e2e.tasks("/api/tasks/" + taskA)).json().path("agentRun").path("status").asText()));
    }

    @AfterAll
    void printFigures() {
        System.out.println("[isolation] requests by status: " + tried);
    }

    /** Every endpoint that names one of A's resources. */
    private List<Call> callsOnAsResources() {
        Map<String, Object> brief = Sample.brief();
        Map<String, Object> task = Sample.task("Taken over");
        Map<String, Object> launch = Map.of("repositoryUrl", e2e.sampleRepository(), "branch", "main");
        return List.of(
                new Call("GET", e2e.tasks("/api/briefs/" + briefA), null),
                new Call("PUT", e2e.tasks("/api/briefs/" + briefA), brief),
                new Call("POST", e2e.tasks("/api/briefs/" + briefA + "/tasks"), task),
                new Call("POST", e2e.tasks("/api/briefs/" + briefA + "/tasks/import"), Map.of("tasks", List.of(Map.of("id", 1, "title", "Imported")))),
                new Call("GET", e2e.tasks("/api/tasks/" + taskA), null),
                new Call("PUT", e2e.tasks("/api/tasks/" + taskA), task),
                new Call("GET", e2e.tasks("/api/tasks/" + taskA + "/agent-context"), null),
                new Call("POST", e2e.runs("/api/tasks/" + taskA + "/runs"), launch),
                new Call("GET", e2e.runs("/api/runs/" + runA), null),
                new Call("POST", e2e.runs("/api/runs/" + runA + "/cancel"), null),
                new Call("POST", e2e.runs("/api/runs/" + runA + "/retry"), null),
                new Call("GET", e2e.gateway("/api/pull-requests/" + pullRequestA), null),
                new Call("DELETE", e2e.tasks("/api/tasks/" + taskA), null),
                new Call("DELETE", e2e.tasks("/api/briefs/" + briefA), null));
    }

    /** Every endpoint that lists: B sees only its own. */
    private List<Call> listings() {
        List<Call> calls = new ArrayList<>(List.of(
                new Call("GET", e2e.tasks("/api/briefs"), null),
                new Call("GET", e2e.tasks("/api/briefs/" + briefA + "/tasks"), null),
                new Call("GET", e2e.runs("/api/tasks/" + taskA + "/runs"), null),
                new Call("GET", e2e.runs("/api/runs"), null)));
        for (String status : List.of("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED")) {
            calls.add(new Call("GET", e2e.runs("/api/runs?status=" + status), null));
        }
        return calls;
    }

    /** Every /api route of the four services. */
    private List<Call> everyApiRoute() {
        List<Call> calls = new ArrayList<>(callsOnAsResources());
        calls.addAll(listings());
        calls.add(new Call("POST", e2e.tasks("/api/briefs"), Sample.brief()));
        calls.add(new Call("GET", e2e.gateway("/api/agent-config"), null));
        calls.add(new Call("PUT", e2e.gateway("/api/agent-config"), Map.of("provider", "local", "enabled", false)));
        calls.add(new Call("DELETE", e2e.gateway("/api/agent-config"), null));
        calls.add(new Call("GET", e2e.notifications("/api/events"), null));
        calls.add(new Call("GET", e2e.notifications("/api/events?taskId=" + taskA), null));
        return calls;
    }

    @Test
    void workspaceBGetsNotFoundForEveryOneOfAsResources() {
        Map<String, JsonNode> before = snapshotOfA();
        for (String token : List.of(e2e.jwt().admin(workspaceB), e2e.jwt().member(workspaceB))) {
            for (Call call : callsOnAsResources()) {
                RawHttp.Answer answer = send(call, token);
                assertEquals(404, answer.status(), call + " as workspace B: " + answer.brief());
                CursorWebhookTest.assertProblem(answer);
                assertEquals("not-found", answer.code(), call + ": " + answer.brief());
                assertFalse(answer.body().contains(workspaceA), call + " names workspace A: " + answer.brief());
            }
        }
        assertEquals(before, snapshotOfA(), "A's resources are untouched by B's attempts");
    }

    @Test
    void workspaceBsListingsShowNothingOfA() {
        for (String token : List.of(e2e.jwt().admin(workspaceB), e2e.jwt().member(workspaceB))) {
            for (Call call : listings()) {
                RawHttp.Answer answer = send(call, token);
                assertTrue(answer.status() == 200 || answer.status() == 404, call + ": " + answer.brief());
                if (answer.status() == 200) {
                    assertTrue(answer.json() != null && answer.json().isArray(), call + ": " + answer.brief());
                    for (String id : List.of(briefA, taskA, runA, workspaceA)) {
                        assertFalse(answer.body().contains(id), call + " shows " + id + " of A: " + answer.brief());
                    }
                } else {
                    CursorWebhookTest.assertProblem(answer);
                    assertEquals("not-found", answer.code(), answer.brief());
                    assertFalse(answer.body().contains(workspaceA), call + " names workspace A: " + answer.brief());
                }
            }
        }
    }

    @Test
    void workspaceBsAgentConfigurationIsItsOwn() {
        Api b = new Api(e2e, e2e.jwt().admin(workspaceB));
        JsonNode configOfA = a.expect(200, a.get(e2e.gateway("/api/agent-config")));
        RawHttp.Answer none = b.get(e2e.gateway("/api/agent-config"));
        assertEquals(404, none.status(), "B has no configuration of its own: " + none.brief());
        CursorWebhookTest.assertProblem(none);
        b.expect(200, b.send("PUT", e2e.gateway("/api/agent-config"), Map.of("provider", "local", "enabled", false)));
        JsonNode configOfB = b.expect(200, b.get(e2e.gateway("/api/agent-config")));
        assertFalse(configOfB.get("enabled").asBoolean());
        assertEquals(204, b.send("DELETE", e2e.gateway("/api/agent-config"), null).status());
        assertEquals(configOfA, a.expect(200, a.get(e2e.gateway("/api/agent-config"))), "B's writes leave A's configuration alone");
    }

    @Test
    void workspaceBsEventStreamCarriesNothingOfA() throws Exception {
        Api b = new Api(e2e, e2e.jwt().admin(workspaceB));
        b.configureLocal();
        String tokenB = b.token();
        String taskB = b.newTask(b.newBrief(), "B's own task");
        Map<String, String> asB = Map.of("Authorization", "Bearer " + tokenB, "Last-Event-ID", "0");
        SseClient sse = SseClient.of(e2e.notifications(""), 8);
        List<SseStream> streamsOfB = List.of(
                sse.open("/api/events", asB),
                sse.open("/api/events?taskId=" + taskA, asB),
                sse.open("/api/events?runId=" + runA, asB),
                sse.open("/api/events?lastEventId=0&access_token=" + URLEncoder.encode(tokenB, StandardCharsets.UTF_8)));
        try (SseStream streamOfA = sse.open("/api/events?taskId=" + taskA,
                Map.of("Authorization", "Bearer " + a.token(), "Last-Event-ID", "0"))) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertTrue(
                    streamsOfB.stream().allMatch(SseStream::isLive) && streamOfA.isLive(), "every stream is live; answers: "
                            + streamsOfB.stream().map(SseStream::statuses).toList() + " and A's " + streamOfA.statuses()));
            // live traffic in both workspaces while B listens: a retry of A's run, a run of B's own
            String retried = a.expect(201, a.send("POST", e2e.runs("/api/runs/" + runA + "/retry"), null)).get("id").asText();
            String runB = b.launch(taskB, Map.of("repositoryUrl", e2e.sampleRepository(), "branch", "main")).get("id").asText();
            a.awaitStatus(retried, "COMPLETED", Duration.ofSeconds(90));
            b.awaitStatus(runB, "COMPLETED", Duration.ofSeconds(90));
            await().atMost(Duration.ofSeconds(20)).until(() -> streamOfA.events().stream()
                    .anyMatch(e -> retried.equals(e.json().path("runId").asText()) && "COMPLETED".equals(e.json().path("status").asText())));
            await().atMost(Duration.ofSeconds(20)).until(() -> streamsOfB.get(0).events().stream()
                    .anyMatch(e -> runB.equals(e.json().path("runId").asText()) && "COMPLETED".equals(e.json().path("status").asText())));
            await().atMost(Duration.ofSeconds(20)).until(() -> streamsOfB.get(3).events().stream()
                    .anyMatch(e -> runB.equals(e.json().path("runId").asText())));
            for (SseStream stream : streamsOfB) {
                for (SseStream.Event event : stream.events()) {
                    assertEquals(workspaceB, event.json().path("workspaceId").asText(), "B's stream carries " + event);
                    String text = event.json().toString();
                    for (String id : List.of(taskA, runA, retried, workspaceA)) {
                        assertFalse(text.contains(id), "B's stream carries A's " + id + ": " + text);
                    }
                }
            }
            assertTrue(streamsOfB.get(1).events().isEmpty() && streamsOfB.get(2).events().isEmpty(),
                    "B's streams filtered on A's task or run are empty");
        } finally {
            streamsOfB.forEach(SseStream::close);
            sse.close();
        }
    }

    @Test
    void noTokenOrABrokenOneIsRefusedWithUnauthorizedOnEveryApiRoute() {
        Map<String, Object> claims = TokenSigner.claims(workspaceA, "mallory", List.of("member", "admin"));
        String valid = e2e.jwt().sign(claims);
        Map<String, String> broken = new LinkedHashMap<>();
        broken.put("no token", null);
        broken.put("not a JWT", "not-a-jwt");
        broken.put("tampered signature", valid.substring(0, valid.length() - 6) + (valid.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA"));
        broken.put("tampered claims", tamperedWorkspace(valid, workspaceB));
        broken.put("alg none", TokenSigner.unsigned(claims));
        broken.put("expired", e2e.jwt().sign(with(claims, "exp", claims.get("iat") instanceof Long iat ? iat - 60 : 0L)));
        broken.put("another issuer", e2e.jwt().sign(with(claims, "iss", "someone-else")));
        broken.put("no workspace claim", e2e.jwt().sign(with(claims, "workspace", null)));
        broken.put("workspace with capitals", e2e.jwt().sign(with(claims, "workspace", "Workspace-A")));
        broken.put("workspace with a slash", e2e.jwt().sign(with(claims, "workspace", "a/../" + workspaceA)));
        broken.put("workspace of 65 characters", e2e.jwt().sign(with(claims, "workspace", "w".repeat(65))));
        broken.put("empty workspace", e2e.jwt().sign(with(claims, "workspace", "")));
        for (var entry : broken.entrySet()) {
            for (Call call : everyApiRoute()) {
                RawHttp.Answer answer = send(call, entry.getValue());
                assertEquals(401, answer.status(), entry.getKey() + ": " + call + " -> " + answer.brief());
                CursorWebhookTest.assertProblem(answer);
                assertEquals("unauthorized", answer.code(), entry.getKey() + ": " + call + " -> " + answer.brief());
            }
        }
        RawHttp.Answer basic = http.send("GET", e2e.tasks("/api/briefs"), Map.of("Authorization", "Basic YWRtaW46YWRtaW4="), null);
        assertEquals(401, basic.status(), basic.brief());
    }

    @Test
    void aTokenWithoutAnyRoleIsRefused() {
        String noRoles = e2e.jwt().sign(TokenSigner.claims(workspaceA, "nobody", List.of()));
        for (Call call : everyApiRoute()) {
            RawHttp.Answer answer = send(call, noRoles);
            assertTrue(answer.status() == 401 || answer.status() == 403, call + " -> " + answer.brief());
            CursorWebhookTest.assertProblem(answer);
        }
    }

    @Test
    void aMemberCannotChangeTheAgentConfiguration() {
        JsonNode before = a.expect(200, a.get(e2e.gateway("/api/agent-config")));
        String member = e2e.jwt().member(workspaceA);
        List<Call> writes = List.of(
                new Call("PUT", e2e.gateway("/api/agent-config"), Map.of("provider", "local", "enabled", false)),
                new Call("PUT", e2e.gateway("/api/agent-config"), Map.of("provider", "cursor", "apiKey", E2eStack.CURSOR_KEY, "enabled", true)),
                new Call("DELETE", e2e.gateway("/api/agent-config"), null));
        for (Call call : writes) {
            RawHttp.Answer answer = send(call, member);
            assertEquals(403, answer.status(), call + " as a member: " + answer.brief());
            CursorWebhookTest.assertProblem(answer);
            assertEquals("forbidden", answer.code(), answer.brief());
        }
        assertEquals(200, send(new Call("GET", e2e.gateway("/api/agent-config"), null), member).status(), "a member may read it");
        assertEquals(before, a.expect(200, a.get(e2e.gateway("/api/agent-config"))), "the configuration is unchanged");
    }

    // ---- helpers ----

    private RawHttp.Answer send(Call call, String token) {
        RawHttp.Answer answer;
        if (call.url().contains("/api/events")) {
            // a stream that is allowed would never end: ask for its first bytes only
            Map<String, String> headers = RawHttp.auth(token);
            headers.put("Accept", "text/event-stream");
            answer = http.stream(call.url(), headers);
        } else {
            Map<String, String> headers = RawHttp.auth(token);
            byte[] body = null;
            if (call.body() != null) {
                headers.put("Content-Type", "application/json");
                body = toJson(call.body());
            }
            answer = http.send(call.method(), call.url(), headers, body);
        }
        tried.merge(String.valueOf(answer.status()), 1, Integer::sum);
        return answer;
    }

    private static byte[] toJson(Object body) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, JsonNode> snapshotOfA() {
        Map<String, JsonNode> snapshot = new LinkedHashMap<>();
        snapshot.put("brief", a.expect(200, a.get(e2e.tasks("/api/briefs/" + briefA))));
        snapshot.put("task", a.expect(200, a.get(e2e.tasks("/api/tasks/" + taskA))));
        snapshot.put("runs", a.expect(200, a.get(e2e.runs("/api/tasks/" + taskA + "/runs"))));
        snapshot.put("pr", a.expect(200, a.get(e2e.gateway("/api/pull-requests/" + pullRequestA))));
        snapshot.put("config", a.expect(200, a.get(e2e.gateway("/api/agent-config"))));
        return snapshot;
    }

    private static Map<String, Object> with(Map<String, Object> claims, String name, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(claims);
        copy.put("jti", UUID.randomUUID().toString());
        if (value == null) {
            copy.remove(name);
        } else {
            copy.put(name, value);
        }
        return copy;
    }

    /** The token's payload swapped for one naming another workspace, the signature kept. */
    private static String tamperedWorkspace(String token, String workspace) {
        String[] parts = token.split("\\.");
        String claims = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replaceAll("\"workspace\":\"[^\"]*\"", "\"workspace\":\"" + workspace + "\"");
        return parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
    }
}
