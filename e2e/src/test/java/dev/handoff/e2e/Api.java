package dev.handoff.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.e2e.chaos.RawHttp;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** One caller of the e2e stack (one token), with the few steps the fault tests repeat. */
final class Api {

    private final E2eStack e2e;
    private final RawHttp http = new RawHttp();
    private final String token;

    Api(E2eStack e2e, String token) {
        this.e2e = e2e;
        this.token = token;
    }

    String token() {
        return token;
    }

    RawHttp.Answer get(String url) {
        return http.get(url, token);
    }

    RawHttp.Answer send(String method, String url, Object body) {
        return body == null ? http.send(method, url, RawHttp.auth(token), null) : http.json(method, url, token, body);
    }

    JsonNode expect(int status, RawHttp.Answer answer) {
        assertEquals(status, answer.status(), answer.brief());
        return answer.json();
    }

    void configureLocal() {
        expect(200, send("PUT", e2e.gateway("/api/agent-config"), Map.of("provider", "local", "enabled", true)));
    }

    void configureCursor(String key) {
        expect(200, send("PUT", e2e.gateway("/api/agent-config"), Map.of("provider", "cursor", "apiKey", key, "enabled", true)));
    }

    String newBrief() {
        return expect(201, send("POST", e2e.tasks("/api/briefs"), Sample.brief())).get("id").asText();
    }

    String newTask(String briefId, String title) {
        return expect(201, send("POST", e2e.tasks("/api/briefs/" + briefId + "/tasks"), Sample.task(title))).get("id").asText();
    }

    JsonNode launch(String taskId, Map<String, Object> body) {
        return expect(201, send("POST", e2e.runs("/api/tasks/" + taskId + "/runs"), body));
    }

    JsonNode run(String runId) {
        return expect(200, get(e2e.runs("/api/runs/" + runId)));
    }

    JsonNode awaitStatus(String runId, String status, Duration timeout) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            last.set(run(runId));
            assertEquals(status, last.get().get("status").asText(), "run " + last.get());
        });
        return last.get();
    }
}
