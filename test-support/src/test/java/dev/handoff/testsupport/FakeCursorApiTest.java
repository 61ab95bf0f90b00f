package dev.handoff.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake answers as Cursor's published Cloud Agents API v0 does. */
class FakeCursorApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "s".repeat(40);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FakeCursorApi cursor;

    @BeforeEach
    void start() {
        cursor = FakeCursorApi.start(0, FakeCursorApi.VALID_KEY);
    }

    @AfterEach
    void stop() {
        cursor.close();
    }

    @Test
    void everyCallNeedsTheKeyAsBasicUserName() throws Exception {
        assertEquals(401, call("GET", "/v0/me", null, null).statusCode());
        assertEquals(401, call("GET", "/v0/me", "Basic " + java.util.Base64.getEncoder().encodeToString("other:".getBytes()), null)
                .statusCode());
        HttpResponse<String> me = call("GET", "/v0/me", FakeCursorApi.basic(FakeCursorApi.VALID_KEY), null);
        assertEquals(200, me.statusCode());
        assertTrue(JSON.readTree(me.body()).has("apiKeyName"));
        cursor.revokeKey(FakeCursorApi.VALID_KEY);
        assertEquals(401, call("GET", "/v0/me", FakeCursorApi.basic(FakeCursorApi.VALID_KEY), null).statusCode());
        assertEquals(Map.of("GET /v0/me", 1, "401 GET /v0/me", 3), cursor.calls());
    }

    @Test
    void anAgentIsLaunchedReadListedFollowedUpAndStopped() throws Exception {
        JsonNode launched = launch("Add a README\nwith details", "feature/readme");
        String id = launched.get("id").asText();
        assertEquals("CREATING", launched.get("status").asText());
        assertEquals("Add a README", launched.get("name").asText());
        assertEquals("feature/readme", launched.at("/target/branchName").asText());
        assertEquals("https://cursor.com/agents?id=" + id, launched.at("/target/url").asText());
        assertEquals("run-1", cursor.agentOfRun("run-1").runId);
        assertEquals(Map.of("feature/readme", 1), cursor.launchesByBranch());

        cursor.setStatus(id, "FINISHED", "https://github.com/acme/greeter/pull/1", "Added it");
        JsonNode read = JSON.readTree(ok("GET", "/v0/agents/" + id, null));
        assertEquals("FINISHED", read.get("status").asText());
        assertEquals("https://github.com/acme/greeter/pull/1", read.at("/target/prUrl").asText());
        assertEquals("Added it", read.get("summary").asText());

        cursor.say(id, "I added the README.");
        assertEquals(id, JSON.readTree(ok("POST", "/v0/agents/" + id + "/followup", "{\"prompt\":{\"text\":\"Also a license\"}}"))
                .get("id").asText());
        assertEquals("RUNNING", cursor.agent(id).orElseThrow().status());
        assertEquals(List.of("Also a license"), cursor.agent(id).orElseThrow().followups());
        JsonNode conversation = JSON.readTree(ok("GET", "/v0/agents/" + id + "/conversation", null));
        assertEquals(id, conversation.get("id").asText());
        List<String> said = new java.util.ArrayList<>();
        conversation.get("messages").forEach(m -> said.add(m.get("type").asText() + ": " + m.get("text").asText()));
        assertEquals(List.of("user_message: Add a README\nwith details", "assistant_message: I added the README.",
                "user_message: Also a license"), said);
        assertEquals(400, call("POST", "/v0/agents/" + id + "/followup", FakeCursorApi.basic(FakeCursorApi.VALID_KEY), "{}")
                .statusCode());

        launch("Second", "feature/second");
        JsonNode page = JSON.readTree(ok("GET", "/v0/agents?limit=1", null));
        assertEquals("Second", page.at("/agents/0/name").asText(), "newest first");
        assertEquals("1", page.get("nextCursor").asText());
        assertEquals("Add a README", JSON.readTree(ok("GET", "/v0/agents?limit=1&cursor=1", null)).at("/agents/0/name").asText());

        ok("POST", "/v0/agents/" + id + "/stop", null);
        assertTrue(cursor.agent(id).orElseThrow().stopped());
        assertEquals(404, call("GET", "/v0/agents/bc_unknown", FakeCursorApi.basic(FakeCursorApi.VALID_KEY), null).statusCode());
        assertEquals(404, call("GET", "/v0/agents/bc_unknown/conversation", FakeCursorApi.basic(FakeCursorApi.VALID_KEY), null)
                .statusCode());
    }

    @Test
    void aLaunchNeedsAPromptARepositoryAndAWebhookSecretOfThirtyTwoCharacters() throws Exception {
        String key = FakeCursorApi.basic(FakeCursorApi.VALID_KEY);
        assertEquals(400, call("POST", "/v0/agents", key, "{\"source\":{\"repository\":\"r\"}}").statusCode());
        assertEquals(400, call("POST", "/v0/agents", key, "{\"prompt\":{\"text\":\"x\"}}").statusCode());
        assertEquals(400, call("POST", "/v0/agents", key,
                "{\"prompt\":{\"text\":\"x\"},\"source\":{\"repository\":\"r\"},\"webhook\":{\"url\":\"http://h/w\",\"secret\":\"short\"}}")
                .statusCode());
        assertTrue(cursor.agents().isEmpty());
    }

    @Test
    void readsCanBeThrottledAndMeBroken() throws Exception {
        String id = launch("Task", "b").get("id").asText();
        cursor.throttleAgentReads(1);
        HttpResponse<String> throttled = call("GET", "/v0/agents/" + id, FakeCursorApi.basic(FakeCursorApi.VALID_KEY), null);
        assertEquals(429, throttled.statusCode());
        assertEquals("1", throttled.headers().firstValue("Retry-After").orElse(null));
        ok("GET", "/v0/agents/" + id, null);
        cursor.breakMe(true);
        assertEquals(500, call("GET", "/v0/me", FakeCursorApi.basic(FakeCursorApi.VALID_KEY), null).statusCode());
    }

    @Test
    void webhooksAreSignedWithTheAgentsSecretAndDeliveredAsCursorSendsThem() throws Exception {
        List<Map<String, String>> got = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            got.add(Map.of("path", exchange.getRequestURI().getPath(),
                    "signature", exchange.getRequestHeaders().getFirst("X-Webhook-Signature"),
                    "event", exchange.getRequestHeaders().getFirst("X-Webhook-Event"),
                    "body", new String(body, StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks/cursor/run-7";
            String id = JSON.readTree(ok("POST", "/v0/agents", "{\"prompt\":{\"text\":\"T\"},\"source\":{\"repository\":"
                    + "\"https://github.com/acme/greeter\"},\"target\":{\"branchName\":\"b7\",\"autoCreatePr\":true},"
                    + "\"webhook\":{\"url\":\"" + hook + "\",\"secret\":\"" + SECRET + "\"}}")).get("id").asText();
            cursor.setStatus(id, "FINISHED", "https://github.com/acme/greeter/pull/3", "Done");
            FakeCursorApi.Delivery delivery = cursor.webhookOf(id);
            assertEquals(FakeCursorApi.sign(SECRET, delivery.body()), delivery.headers().get("X-Webhook-Signature"));
            assertTrue(delivery.headers().get("X-Webhook-Signature").matches("sha256=[0-9a-f]{64}"));
            assertEquals(200, cursor.deliver(delivery));
            assertEquals(1, got.size());
            assertEquals("/webhooks/cursor/run-7", got.get(0).get("path"));
            assertEquals("statusChange", got.get(0).get("event"));
            assertEquals(delivery.headers().get("X-Webhook-Signature"), got.get(0).get("signature"));
            JsonNode body = JSON.readTree(got.get(0).get("body"));
            assertEquals("FINISHED", body.get("status").asText());
            assertEquals("https://github.com/acme/greeter/pull/3", body.at("/target/prUrl").asText());
            assertFalse(FakeCursorApi.sign("x".repeat(40), delivery.body()).equals(delivery.headers().get("X-Webhook-Signature")));
        } finally {
            receiver.stop(0);
        }
    }

    private JsonNode launch(String prompt, String branch) throws IOException, InterruptedException {
        return JSON.readTree(ok("POST", "/v0/agents", "{\"prompt\":{\"text\":" + JSON.writeValueAsString(prompt)
                + "},\"source\":{\"repository\":\"https://github.com/acme/greeter\",\"ref\":\"main\"},\"target\":{\"branchName\":\""
                + branch + "\"},\"webhook\":{\"url\":\"http://127.0.0.1:9/webhooks/cursor/run-1\",\"secret\":\"" + SECRET + "\"}}"));
    }

    private String ok(String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = call(method, path, FakeCursorApi.basic(FakeCursorApi.VALID_KEY), body);
        assertEquals(200, response.statusCode(), method + " " + path + ": " + response.body());
        return response.body();
    }

    private HttpResponse<String> call(String method, String path, String authorization, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cursor.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
