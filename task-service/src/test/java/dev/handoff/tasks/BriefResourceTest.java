package dev.handoff.tasks;

import static dev.handoff.tasks.Api.as;
import static dev.handoff.tasks.Api.createBrief;
import static dev.handoff.tasks.Api.createTask;
import static dev.handoff.tasks.Api.newWorkspace;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class BriefResourceTest {

    @Test
    void briefRoundTripsThroughCreateReadReplaceAndDelete() {
        String ws = newWorkspace();
        var created = as(ws).body(Map.of("title", "Checkout revamp", "content", "# Why\n\nCarts get lost."))
                .post("/api/briefs").then()
                .statusCode(201)
                .contentType(ContentType.JSON)
                .body("title", equalTo("Checkout revamp"))
                .body("content", equalTo("# Why\n\nCarts get lost."))
                .body("createdAt", notNullValue())
                .extract();
        String id = created.path("id");
        assertThat(created.header("Location"), endsWith("/api/briefs/" + id));
        String createdAt = created.path("createdAt");

        as(ws).get("/api/briefs/{id}", id).then().statusCode(200)
                .body("id", equalTo(id))
                .body("title", equalTo("Checkout revamp"))
                .body("createdAt", equalTo(createdAt))
                .body("updatedAt", equalTo(createdAt));

        as(ws).body(Map.of("title", "Checkout revamp v2", "content", "Updated"))
                .put("/api/briefs/{id}", id).then().statusCode(200)
                .body("title", equalTo("Checkout revamp v2"))
                .body("content", equalTo("Updated"))
                .body("createdAt", equalTo(createdAt));
        as(ws).get("/api/briefs/{id}", id).then().statusCode(200).body("title", equalTo("Checkout revamp v2"));

        as(ws).delete("/api/briefs/{id}", id).then().statusCode(204);
        as(ws).get("/api/briefs/{id}", id).then().statusCode(404)
                .contentType("application/problem+json")
                .body("code", equalTo("not-found"));
        as(ws).delete("/api/briefs/{id}", id).then().statusCode(404);
    }

    @Test
    void contentMayBeLeftOutAndIsThenEmpty() {
        String ws = newWorkspace();
        as(ws).body(Map.of("title", "Only a title")).post("/api/briefs").then().statusCode(201)
                .body("content", equalTo(""));
    }

    @Test
    void briefsAreListedNewestFirstAndOnlyTheCallersWorkspace() {
        String ws = newWorkspace();
        String first = createBrief(ws, "first", "");
        String second = createBrief(ws, "second", "");
        String third = createBrief(ws, "third", "");
        String elsewhere = createBrief(newWorkspace(), "other workspace", "");

        as(ws).get("/api/briefs").then().statusCode(200)
                .body("id", contains(third, second, first))
                .body("id", not(hasItem(elsewhere)));
    }

    @Test
    void briefContentOfExactlyOneMebibyteIsAcceptedAndOneCharacterMoreIsRefused() {
        String ws = newWorkspace();
        String oneMiB = "x".repeat(1_048_576);
        as(ws).body(Map.of("title", "big", "content", oneMiB)).post("/api/briefs").then().statusCode(201);

        as(ws).body(Map.of("title", "too big", "content", oneMiB + "x")).post("/api/briefs").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("validation-failed"))
                .body("violations.field", contains("content"));
    }

    @Test
    void blankOrOverlongTitleIsRefusedNamingTheField() {
        String ws = newWorkspace();
        as(ws).body(Map.of("title", "   ")).post("/api/briefs").then().statusCode(400)
                .body("code", equalTo("validation-failed"))
                .body("violations.field", contains("title"))
                .body("violations[0].message", equalTo("must not be blank"));
        as(ws).body(Map.of("content", "no title")).post("/api/briefs").then().statusCode(400)
                .body("violations.field", contains("title"));
        as(ws).body(Map.of("title", "t".repeat(201))).post("/api/briefs").then().statusCode(400)
                .body("violations.field", contains("title"));
        as(ws).body(Map.of("title", "t".repeat(200))).post("/api/briefs").then().statusCode(201);
    }

    @Test
    void malformedJsonWrongTypesUnknownFieldsAndMissingBodyAreBadRequests() {
        String ws = newWorkspace();
        as(ws).body("{\"title\": \"unterminated").post("/api/briefs").then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("validation-failed"))
                .body("violations.field", contains("body"));
        as(ws).body("{\"title\": 42}").post("/api/briefs").then().statusCode(400)
                .body("code", equalTo("validation-failed"))
                .body("violations.field", contains("title"));
        as(ws).body("{\"title\": {\"nested\": true}}").post("/api/briefs").then().statusCode(400)
                .body("violations.field", contains("title"));
        as(ws).body("{\"title\": \"ok\", \"owner\": \"me\"}").post("/api/briefs").then().statusCode(400)
                .body("violations.field", contains("owner"))
                .body("violations[0].message", equalTo("unknown field"));
        as(ws).body("[]").post("/api/briefs").then().statusCode(400).body("code", equalTo("validation-failed"));
        as(ws).post("/api/briefs").then().statusCode(400).body("code", equalTo("validation-failed"));
    }

    @Test
    void anotherWorkspacesBriefIsNotFound() {
        String owner = newWorkspace();
        String intruder = newWorkspace();
        String id = createBrief(owner, "private", "secret plans");

        as(intruder).get("/api/briefs/{id}", id).then().statusCode(404).body("code", equalTo("not-found"));
        as(intruder).body(Map.of("title", "hijacked")).put("/api/briefs/{id}", id).then().statusCode(404);
        as(intruder).delete("/api/briefs/{id}", id).then().statusCode(404);
        as(intruder).get("/api/briefs/{id}/tasks", id).then().statusCode(404);
        as(intruder).body(Map.of("title", "sneaky")).post("/api/briefs/{id}/tasks", id).then().statusCode(404);

        as(owner).get("/api/briefs/{id}", id).then().statusCode(200).body("title", equalTo("private"));
    }

    @Test
    void unknownOrMalformedIdsAreNotFound() {
        String ws = newWorkspace();
        as(ws).get("/api/briefs/{id}", UUID.randomUUID()).then().statusCode(404).body("code", equalTo("not-found"));
        as(ws).get("/api/briefs/not-a-uuid").then().statusCode(404);
    }

    @Test
    void requestsWithoutAValidTokenAreUnauthorized() {
        given().get("/api/briefs").then().statusCode(401)
                .contentType("application/problem+json")
                .body("code", equalTo("unauthorized"));
        given().contentType(ContentType.JSON).body(Map.of("title", "x")).post("/api/briefs").then().statusCode(401);
        given().auth().oauth2("not.a.jwt").get("/api/briefs").then().statusCode(401)
                .body("code", equalTo("unauthorized"));
        // a token without a workspace claim identifies no workspace
        given().auth().oauth2(Tokens.token("someone", null, java.util.Set.of("member"))).get("/api/briefs").then()
                .statusCode(401);
    }

    @Test
    void deletingABriefDeletesItsTasks() throws Exception {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "to delete", "");
        String taskId = createTask(ws, briefId, Map.of("title", "doomed",
                "acceptanceCriteria", List.of("gone too"),
                "subtasks", List.of(Map.of("title", "also gone"))));
        String otherBrief = createBrief(ws, "kept", "");
        String keptTask = createTask(ws, otherBrief, Map.of("title", "survivor"));

        as(ws).delete("/api/briefs/{id}", briefId).then().statusCode(204);

        as(ws).get("/api/tasks/{id}", taskId).then().statusCode(404);
        as(ws).get("/api/tasks/{id}", keptTask).then().statusCode(200);
        assertThat(rowsOfTask("tasks", "id", taskId), equalTo(0));
        assertThat(rowsOfTask("acceptance_criteria", "task_id", taskId), equalTo(0));
        assertThat(rowsOfTask("subtasks", "task_id", taskId), equalTo(0));
    }

    private static int rowsOfTask(String table, String column, String taskId) throws Exception {
        try (Connection connection = HandoffTestResource.database().connect();
                PreparedStatement statement = connection.prepareStatement(
                        "select count(*) from " + table + " where " + column + " = ?")) {
            statement.setObject(1, UUID.fromString(taskId));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
