package dev.handoff.notify.webhook;

import static dev.handoff.notify.support.TestEvents.workspace;
import static dev.handoff.notify.webhook.WebhookApi.create;
import static dev.handoff.notify.webhook.WebhookApi.deliveries;
import static dev.handoff.notify.webhook.WebhookApi.metric;
import static dev.handoff.notify.webhook.WebhookApi.register;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The webhook endpoints: roles, workspaces, validation, the answers' shapes; and the SSE gauge of /q/metrics. */
@QuarkusTest
class WebhookApiTest {

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URL base;

    @Test
    void registrationAnswers201WithLocationDefaultsAndASecret() {
        String ws = workspace();
        create(ws, Map.of("url", "https://203.0.113.10/handoff"))
                .then().statusCode(201)
                .header("Location", containsString("/api/webhooks/"))
                .body("id", not(nullValue()))
                .body("url", equalTo("https://203.0.113.10/handoff"))
                .body("events", equalTo(List.of("run.status-changed", "run.pull-request-opened")))
                .body("format", equalTo("handoff"))
                .body("secret", not(nullValue()))
                .body("createdAt", not(nullValue()));
        create(ws, Map.of("url", "http://203.0.113.10/slack", "format", "slack",
                "events", List.of("run.pull-request-opened")))
                .then().statusCode(201)
                .body("format", equalTo("slack"))
                .body("events", equalTo(List.of("run.pull-request-opened")));
        given().header("Authorization", Tokens.bearer(Tokens.admin(ws))).when().get("/api/webhooks")
                .then().statusCode(200)
                .body("$", hasSize(2))
                .body("url", equalTo(List.of("https://203.0.113.10/handoff", "http://203.0.113.10/slack")))
                .body("[0]", not(org.hamcrest.Matchers.hasKey("secret")));
    }

    @Test
    void membersAreForbiddenEveryWebhookEndpoint() {
        String ws = workspace();
        Object id = register(ws, "https://203.0.113.10/x", null, null).get("id");
        String member = Tokens.bearer(Tokens.member(ws));
        given().header("Authorization", member).contentType(ContentType.JSON)
                .body(Map.of("url", "https://203.0.113.10/y")).when().post("/api/webhooks")
                .then().statusCode(403).contentType(startsWith("application/problem+json")).body("code", equalTo("forbidden"));
        given().header("Authorization", member).when().get("/api/webhooks")
                .then().statusCode(403).body("code", equalTo("forbidden"));
        given().header("Authorization", member).when().delete("/api/webhooks/" + id)
                .then().statusCode(403).body("code", equalTo("forbidden"));
        given().header("Authorization", member).when().get("/api/webhooks/" + id + "/deliveries")
                .then().statusCode(403).body("code", equalTo("forbidden"));
        given().when().get("/api/webhooks").then().statusCode(401);
        // still there
        given().header("Authorization", Tokens.bearer(Tokens.admin(ws))).when().get("/api/webhooks")
                .then().statusCode(200).body("id", hasItem(id));
    }

    @Test
    void anotherWorkspacesWebhookDoesNotExist() {
        String ws = workspace();
        String other = workspace();
        Object id = register(ws, "https://203.0.113.10/x", null, null).get("id");
        String otherAdmin = Tokens.bearer(Tokens.admin(other));
        given().header("Authorization", otherAdmin).when().get("/api/webhooks")
                .then().statusCode(200).body("$", empty());
        given().header("Authorization", otherAdmin).when().get("/api/webhooks/" + id + "/deliveries")
                .then().statusCode(404).body("code", equalTo("not-found"));
        given().header("Authorization", otherAdmin).when().delete("/api/webhooks/" + id)
                .then().statusCode(404).body("code", equalTo("not-found"));
        given().header("Authorization", Tokens.bearer(Tokens.admin(ws))).when().delete("/api/webhooks/" + id)
                .then().statusCode(204);
        given().header("Authorization", Tokens.bearer(Tokens.admin(ws))).when().delete("/api/webhooks/" + id)
                .then().statusCode(404);
        deliveries(ws, id).then().statusCode(404);
        deliveries(ws, UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void badRegistrationsAre400ValidationFailedWithViolations() {
        String ws = workspace();
        for (Map<String, Object> body : List.<Map<String, Object>>of(
                Map.of(),
                Map.of("url", ""),
                Map.of("url", "ftp://203.0.113.10/x"),
                Map.of("url", "file:///etc/passwd"),
                Map.of("url", "not a url"),
                Map.of("url", "https://user:pass@203.0.113.10/x"),
                Map.of("url", "https://" + "a".repeat(2050) + ".example.com/"))) {
            create(ws, body).then().statusCode(400).contentType(startsWith("application/problem+json"))
                    .body("code", equalTo("validation-failed")).body("violations.field", hasItem("url"));
        }
        create(ws, Map.of("url", "https://203.0.113.10/x", "events", List.of("run.deleted")))
                .then().statusCode(400).body("violations.field", hasItem("events"));
        create(ws, Map.of("url", "https://203.0.113.10/x", "events", List.of()))
                .then().statusCode(400).body("violations.field", hasItem("events"));
        create(ws, Map.of("url", "https://203.0.113.10/x", "format", "teams"))
                .then().statusCode(400).body("violations.field", hasItem("format"));
        create(ws, Map.of("url", "https://203.0.113.10/x", "events", "run.status-changed"))
                .then().statusCode(400).body("code", equalTo("validation-failed"));
        given().header("Authorization", Tokens.bearer(Tokens.admin(ws))).contentType(ContentType.JSON)
                .body("{\"url\": ").when().post("/api/webhooks")
                .then().statusCode(400).body("code", equalTo("validation-failed"));
        given().header("Authorization", Tokens.bearer(Tokens.admin(ws))).contentType(ContentType.JSON)
                .when().post("/api/webhooks")
                .then().statusCode(400).body("code", equalTo("validation-failed"));
        Object id = register(ws, "https://203.0.113.10/x", null, null).get("id");
        for (String limit : List.of("0", "-1", "201", "many", "")) {
            for (String path : List.of("/api/webhooks/" + id + "/deliveries", "/api/webhooks")) {
                given().header("Authorization", Tokens.bearer(Tokens.admin(ws))).queryParam("limit", limit)
                        .when().get(path)
                        .then().statusCode(400).body("violations.field", hasItem("limit"));
            }
        }
        for (String cursor : List.of("garbage", "", "MXx3ZWJob29rc3x4fHk")) {
            for (String path : List.of("/api/webhooks/" + id + "/deliveries", "/api/webhooks")) {
                given().header("Authorization", Tokens.bearer(Tokens.admin(ws))).queryParam("cursor", cursor)
                        .when().get(path)
                        .then().statusCode(400).body("violations.field", hasItem("cursor"));
            }
        }
        given().header("Authorization", Tokens.bearer(Tokens.admin(ws))).queryParam("limit", "10")
                .when().get("/api/webhooks/" + id + "/deliveries").then().statusCode(200).body("$", empty());
        given().header("Authorization", Tokens.bearer(Tokens.admin(ws))).when().get("/api/webhooks")
                .then().statusCode(200).body("$", hasSize(1));
    }

    @Test
    void theWebhookListIsPagedAlongItsLinkHeader() {
        String ws = workspace();
        for (int i = 0; i < 5; i++) {
            register(ws, "https://203.0.113.10/page-" + i, null, null);
        }
        List<List<Object>> pages = WebhookApi.pages(ws, "/api/webhooks?limit=2", "url");
        assertEquals(List.of(List.of("https://203.0.113.10/page-0", "https://203.0.113.10/page-1"),
                List.of("https://203.0.113.10/page-2", "https://203.0.113.10/page-3"), List.of("https://203.0.113.10/page-4")),
                pages, "5 webhooks, 2 a page, in registration order");
    }

    @Test
    void metricsShowTheOpenSseStreamsAndTheDeliveryCounters() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        String ours = java.util.Arrays.stream(metrics.split("\n")).filter(l -> l.contains("handoff_"))
                .filter(l -> !l.startsWith("kafka_")).collect(java.util.stream.Collectors.joining("\n"));
        for (String sample : List.of("handoff_webhook_deliveries_total{result=\"delivered\"",
                "handoff_webhook_deliveries_total{result=\"retrying\"", "handoff_webhook_deliveries_total{result=\"failed\"",
                "handoff_sse_connections ")) {
            org.junit.jupiter.api.Assertions.assertTrue(ours.contains(sample), () -> sample + " in\n" + ours);
        }
        String ws = workspace();
        // streams that earlier test classes hung up on end on the server at its next write (a heartbeat at the
        // latest): wait for them, so that the gauge counts only this test's streams
        await().atMost(Duration.ofSeconds(30)).until(() -> metric("handoff_sse_connections", null) == 0);
        double before = metric("handoff_sse_connections", null);
        try (SseClient client = new SseClient(vertx, base, 5)) {
            SseStream first = client.open("/api/events", Map.of("Authorization", Tokens.bearer(Tokens.member(ws))));
            SseStream second = client.open("/api/events", Map.of("Authorization", Tokens.bearer(Tokens.member(ws))));
            await().atMost(Duration.ofSeconds(30)).until(() -> first.isLive() && second.isLive());
            assertEquals(before + 2, metric("handoff_sse_connections", null));
            second.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> metric("handoff_sse_connections", null) == before + 1);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> metric("handoff_sse_connections", null) == before);
    }
}
