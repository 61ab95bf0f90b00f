package dev.handoff.run;

import static io.restassured.RestAssured.given;

import dev.handoff.events.EventJson;
import dev.handoff.testsupport.Tokens;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** The run API as a client sees it, for tests. */
final class RunApi {

    static final String REPOSITORY = "https://github.com/acme/shop.git";

    static String workspace(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A task id the stubbed task-service knows (any id but the reserved prefixes). */
    static UUID task() {
        UUID id;
        do {
            id = UUID.randomUUID();
        } while (id.toString().startsWith(DownstreamStubs.MISSING_TASK) || id.toString().startsWith(DownstreamStubs.HANGING_TASK)
                || id.toString().startsWith(DownstreamStubs.BIG_TASK));
        return id;
    }

    static Map<String, Object> body() {
        Map<String, Object> body = new HashMap<>();
        body.put("repositoryUrl", REPOSITORY);
        body.put("branch", "main");
        return body;
    }

    static RequestSpecification as(String workspace) {
        return given().header("Authorization", Tokens.bearer(Tokens.member(workspace)));
    }

    static ValidatableResponse launch(String workspace, UUID taskId, Object body) {
        return as(workspace).contentType(ContentType.JSON)
                .body(body instanceof String s ? s : EventJson.toJson(body))
                .post("/api/tasks/{taskId}/runs", taskId).then();
    }

    /** Launches and answers the new run's id (asserting 201). */
    static UUID launched(String workspace, UUID taskId) {
        return UUID.fromString(launch(workspace, taskId, body()).statusCode(201).extract().path("id"));
    }

    static ValidatableResponse get(String workspace, UUID runId) {
        return as(workspace).get("/api/runs/{id}", runId).then();
    }

    static ValidatableResponse cancel(String workspace, UUID runId) {
        return as(workspace).post("/api/runs/{id}/cancel", runId).then();
    }

    static ValidatableResponse retry(String workspace, UUID runId) {
        return as(workspace).post("/api/runs/{id}/retry", runId).then();
    }

    private RunApi() {
    }
}
