package dev.handoff.tasks;

import static io.restassured.RestAssured.given;

import dev.handoff.testsupport.Tokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.UUID;

/** Requests as a member of one workspace would send them. */
final class Api {

    static String newWorkspace() {
        return "ws-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static RequestSpecification as(String workspace) {
        return given().auth().oauth2(Tokens.member(workspace)).contentType(ContentType.JSON);
    }

    static String createBrief(String workspace, String title, String content) {
        return as(workspace).body(Map.of("title", title, "content", content))
                .post("/api/briefs").then().statusCode(201).extract().path("id");
    }

    static String createTask(String workspace, String briefId, Map<String, ?> task) {
        return as(workspace).body(task)
                .post("/api/briefs/{briefId}/tasks", briefId).then().statusCode(201).extract().path("id");
    }

    private Api() {
    }
}
