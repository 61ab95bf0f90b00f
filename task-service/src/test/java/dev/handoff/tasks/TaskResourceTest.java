package dev.handoff.tasks;

import static dev.handoff.tasks.Api.as;
import static dev.handoff.tasks.Api.createBrief;
import static dev.handoff.tasks.Api.createTask;
import static dev.handoff.tasks.Api.newWorkspace;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TaskResourceTest {

    private static Map<String, Object> task(String title, List<String> criteria, List<Map<String, Object>> subtasks) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", title);
        body.put("description", "Description of " + title);
        body.put("acceptanceCriteria", criteria);
        body.put("subtasks", subtasks);
        return body;
    }

    private static Map<String, Object> step(String title) {
        return new LinkedHashMap<>(Map.of("title", title, "description", "how to " + title));
    }

    private static Map<String, Object> step(String id, String title) {
        Map<String, Object> step = step(title);
        step.put("id", id);
        return step;
    }

    @Test
    void taskRoundTripsWithCriteriaAndSubtasksInOrder() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "Checkout", "# Checkout");
        List<String> criteria = List.of("zeta comes first", "alpha second", "mu third", "beta fourth");
        ExtractableResponse<Response> created = as(ws)
                .body(task("Persist the cart", criteria,
                        List.of(step("write migration"), step("add repository"), step("expose endpoint"))))
                .post("/api/briefs/{briefId}/tasks", briefId).then()
                .statusCode(201)
                .body("briefId", equalTo(briefId))
                .body("title", equalTo("Persist the cart"))
                .body("description", equalTo("Description of Persist the cart"))
                .body("acceptanceCriteria", contains(criteria.toArray()))
                .body("subtasks.title", contains("write migration", "add repository", "expose endpoint"))
                .body("subtasks.position", contains(0, 1, 2))
                .body("subtasks.description", contains("how to write migration", "how to add repository",
                        "how to expose endpoint"))
                .body("subtasks.id", not(hasItem(nullValue())))
                .body("agentRun", nullValue())
                .body("createdAt", notNullValue())
                .extract();
        String id = created.path("id");
        assertThat(created.header("Location"), endsWith("/api/tasks/" + id));

        Map<String, Object> asCreated = created.jsonPath().getMap("");
        Map<String, Object> asRead = as(ws).get("/api/tasks/{id}", id).then().statusCode(200)
                .extract().jsonPath().getMap("");
        assertThat(asRead, equalTo(asCreated));
    }

    @Test
    void descriptionCriteriaAndSubtasksMayBeLeftOut() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "b", "");
        as(ws).body(Map.of("title", "bare")).post("/api/briefs/{briefId}/tasks", briefId).then().statusCode(201)
                .body("description", equalTo(""))
                .body("acceptanceCriteria", empty())
                .body("subtasks", empty());
    }

    @Test
    void briefTasksAreListedInCreationOrderWithTheirDetails() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "b", "");
        String first = createTask(ws, briefId, task("first", List.of("c1"), List.of(step("s1"))));
        String second = createTask(ws, briefId, task("second", List.of(), List.of()));
        String third = createTask(ws, briefId, task("third", List.of("c3a", "c3b"), List.of(step("s3a"), step("s3b"))));
        createTask(ws, createBrief(ws, "other brief", ""), task("elsewhere", List.of(), List.of()));

        as(ws).get("/api/briefs/{briefId}/tasks", briefId).then().statusCode(200)
                .body("id", contains(first, second, third))
                .body("[0].acceptanceCriteria", contains("c1"))
                .body("[2].acceptanceCriteria", contains("c3a", "c3b"))
                .body("[2].subtasks.title", contains("s3a", "s3b"))
                .body("[2].subtasks.position", contains(0, 1));
    }

    @Test
    void replacingATaskReplacesCriteriaAndSubtasksKeepingTheIdsOfKeptSubtasks() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "b", "");
        ExtractableResponse<Response> created = as(ws)
                .body(task("original", List.of("old 1", "old 2", "old 3"), List.of(step("a"), step("b"), step("c"))))
                .post("/api/briefs/{briefId}/tasks", briefId).then().statusCode(201).extract();
        String id = created.path("id");
        List<String> ids = created.path("subtasks.id");
        String createdAt = created.path("createdAt");

        // c moves to the front and is renamed, a stays, b is dropped, d is new
        ExtractableResponse<Response> replaced = as(ws)
                .body(task("renamed", List.of("new 1", "new 2"),
                        List.of(step(ids.get(2), "c renamed"), step(ids.get(0), "a"), step("d"))))
                .put("/api/tasks/{id}", id).then().statusCode(200)
                .body("title", equalTo("renamed"))
                .body("acceptanceCriteria", contains("new 1", "new 2"))
                .body("subtasks.title", contains("c renamed", "a", "d"))
                .body("subtasks.position", contains(0, 1, 2))
                .body("subtasks[0].id", equalTo(ids.get(2)))
                .body("subtasks[1].id", equalTo(ids.get(0)))
                .body("subtasks.id", not(hasItem(ids.get(1))))
                .body("createdAt", equalTo(createdAt))
                .extract();

        as(ws).get("/api/tasks/{id}", id).then().statusCode(200)
                .body("subtasks.id", equalTo(replaced.path("subtasks.id")))
                .body("subtasks.title", contains("c renamed", "a", "d"))
                .body("acceptanceCriteria", contains("new 1", "new 2"));

        // the reverse order, all kept: positions swap inside one transaction
        List<String> now = replaced.path("subtasks.id");
        List<String> reversed = new ArrayList<>(now);
        Collections.reverse(reversed);
        as(ws).body(task("renamed", List.of(), List.of(step(reversed.get(0), "d"), step(reversed.get(1), "a"),
                        step(reversed.get(2), "c renamed"))))
                .put("/api/tasks/{id}", id).then().statusCode(200)
                .body("subtasks.id", equalTo(reversed))
                .body("acceptanceCriteria", empty());

        // an empty replacement removes them all
        as(ws).body(Map.of("title", "emptied")).put("/api/tasks/{id}", id).then().statusCode(200)
                .body("subtasks", empty())
                .body("description", equalTo(""));
    }

    @Test
    void concurrentReplacementsOfOneTaskAllSucceedAndLeaveOneConsistentOrder() throws Exception {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "b", "");
        ExtractableResponse<Response> created = as(ws)
                .body(task("contended", List.of("c"), List.of(step("a"), step("b"), step("c"), step("d"))))
                .post("/api/briefs/{briefId}/tasks", briefId).then().statusCode(201).extract();
        String id = created.path("id");
        List<String> ids = created.path("subtasks.id");

        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int round = 0; round < 6; round++) {
                List<String> order = new ArrayList<>(ids);
                Collections.rotate(order, round);
                List<Map<String, Object>> steps = order.stream().map(sid -> step(sid, "step " + sid)).toList();
                Map<String, Object> body = task("round " + round, List.of("criterion of round " + round), steps);
                answers.add(pool.submit(() -> as(ws).body(body).put("/api/tasks/{id}", id).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get(60, TimeUnit.SECONDS), equalTo(200));
            }
        } finally {
            pool.shutdownNow();
        }

        JsonPath last = as(ws).get("/api/tasks/{id}", id).then().statusCode(200).extract().jsonPath();
        assertThat(last.getList("subtasks.position"), contains(0, 1, 2, 3));
        assertThat(last.getList("subtasks.id", String.class), containsInAnyOrder(ids.toArray()));
        assertThat(last.getList("acceptanceCriteria"), hasSize(1));
        String round = last.getString("title").substring("round ".length());
        assertThat(last.getString("acceptanceCriteria[0]"), equalTo("criterion of round " + round));
    }

    @Test
    void aSubtaskIdThatIsNotOneOfTheTasksIsRefused() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "b", "");
        String one = createTask(ws, briefId, task("one", List.of(), List.of(step("mine"))));
        String otherSubtask = as(ws).body(task("two", List.of(), List.of(step("theirs"))))
                .post("/api/briefs/{briefId}/tasks", briefId).then().statusCode(201).extract().path("subtasks[0].id");

        as(ws).body(task("one", List.of(), List.of(step(otherSubtask, "stolen"))))
                .put("/api/tasks/{id}", one).then().statusCode(400)
                .body("code", equalTo("validation-failed"))
                .body("violations.field", contains("subtasks[0].id"));
        as(ws).body(task("new", List.of(), List.of(step(UUID.randomUUID().toString(), "x"))))
                .post("/api/briefs/{briefId}/tasks", briefId).then().statusCode(400)
                .body("violations.field", contains("subtasks[0].id"));
        as(ws).get("/api/tasks/{id}", one).then().body("subtasks.title", contains("mine"));
    }

    @Test
    void invalidTasksAreRefusedNamingEachField() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "b", "");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", " ");
        body.put("description", "d".repeat(65_537));
        body.put("acceptanceCriteria", List.of("fine", ""));
        body.put("subtasks", List.of(step("ok"), Map.of("title", "t".repeat(201))));
        as(ws).body(body).post("/api/briefs/{briefId}/tasks", briefId).then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("validation-failed"))
                .body("violations.field", contains("acceptanceCriteria[1]", "description", "subtasks[1].title", "title"));

        as(ws).body(Map.of("title", "too many criteria",
                        "acceptanceCriteria", IntStream.range(0, 51).mapToObj(i -> "c" + i).toList()))
                .post("/api/briefs/{briefId}/tasks", briefId).then().statusCode(400)
                .body("violations.field", contains("acceptanceCriteria"));
        as(ws).body(Map.of("title", "too many subtasks",
                        "subtasks", IntStream.range(0, 101).mapToObj(i -> step("s" + i)).toList()))
                .post("/api/briefs/{briefId}/tasks", briefId).then().statusCode(400)
                .body("violations.field", contains("subtasks"));
        as(ws).body("{\"title\": \"null step\", \"subtasks\": [null]}")
                .post("/api/briefs/{briefId}/tasks", briefId).then().statusCode(400)
                .body("violations.field", contains("subtasks[0]"));

        // the limits themselves are allowed
        as(ws).body(Map.of("title", "t".repeat(200), "description", "d".repeat(65_536),
                        "acceptanceCriteria", IntStream.range(0, 50).mapToObj(i -> "c" + i).toList(),
                        "subtasks", IntStream.range(0, 100).mapToObj(i -> step("s" + i)).toList()))
                .post("/api/briefs/{briefId}/tasks", briefId).then().statusCode(201)
                .body("acceptanceCriteria", hasSize(50))
                .body("subtasks", hasSize(100))
                .body("subtasks[99].position", equalTo(99));

        as(ws).get("/api/briefs/{briefId}/tasks", briefId).then().body("", hasSize(1));
    }

    @Test
    void malformedJsonWrongTypesAndUnknownFieldsAreBadRequests() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "b", "");
        String path = "/api/briefs/" + briefId + "/tasks";
        as(ws).body("{\"title\": \"x\", \"subtasks\": [").post(path).then().statusCode(400)
                .body("code", equalTo("validation-failed"))
                .body("violations.field", contains("body"));
        as(ws).body("{\"title\": \"x\", \"acceptanceCriteria\": \"just one\"}").post(path).then().statusCode(400)
                .body("violations.field", contains("acceptanceCriteria"));
        as(ws).body("{\"title\": \"x\", \"acceptanceCriteria\": [1, 2]}").post(path).then().statusCode(400)
                .body("code", equalTo("validation-failed"));
        as(ws).body("{\"title\": \"x\", \"subtasks\": [{\"title\": \"s\", \"id\": \"not-a-uuid\"}]}").post(path).then()
                .statusCode(400)
                .body("violations.field", contains("subtasks[0].id"));
        as(ws).body("{\"title\": \"x\", \"subtasks\": [{\"title\": \"s\", \"position\": 3}]}").post(path).then()
                .statusCode(400)
                .body("violations.field", contains("subtasks[0].position"))
                .body("violations[0].message", equalTo("unknown field"));
        as(ws).body("{\"title\": \"x\", \"agentRun\": null}").post(path).then().statusCode(400)
                .body("violations.field", contains("agentRun"));
        as(ws).get(path).then().body("", empty());
    }

    @Test
    void anotherWorkspacesTaskIsNotFound() {
        String owner = newWorkspace();
        String intruder = newWorkspace();
        String briefId = createBrief(owner, "b", "");
        String id = createTask(owner, briefId, task("private", List.of("c"), List.of(step("s"))));

        as(intruder).get("/api/tasks/{id}", id).then().statusCode(404).body("code", equalTo("not-found"));
        as(intruder).get("/api/tasks/{id}/agent-context", id).then().statusCode(404);
        as(intruder).body(Map.of("title", "hijacked")).put("/api/tasks/{id}", id).then().statusCode(404);
        as(intruder).delete("/api/tasks/{id}", id).then().statusCode(404);

        as(owner).get("/api/tasks/{id}", id).then().statusCode(200).body("title", equalTo("private"));
    }

    @Test
    void deletedTaskIsGone() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "b", "");
        String id = createTask(ws, briefId, task("bye", List.of("c"), List.of(step("s"))));
        as(ws).delete("/api/tasks/{id}", id).then().statusCode(204);
        as(ws).get("/api/tasks/{id}", id).then().statusCode(404);
        as(ws).delete("/api/tasks/{id}", id).then().statusCode(404);
        as(ws).get("/api/briefs/{briefId}/tasks", briefId).then().body("", empty());
    }

    @Test
    void taskEndpointsNeedAToken() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "b", "");
        String id = createTask(ws, briefId, task("t", List.of(), List.of()));
        given().get("/api/tasks/{id}", id).then().statusCode(401).body("code", equalTo("unauthorized"));
        given().get("/api/tasks/{id}/agent-context", id).then().statusCode(401);
        given().get("/api/briefs/{briefId}/tasks", briefId).then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("title", "x"))
                .post("/api/briefs/{briefId}/tasks", briefId).then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("title", "x")).put("/api/tasks/{id}", id).then()
                .statusCode(401);
        given().delete("/api/tasks/{id}", id).then().statusCode(401);
        given().contentType(ContentType.JSON).body("{\"tasks\": []}")
                .post("/api/briefs/{briefId}/tasks/import", briefId).then().statusCode(401);
    }

    @Test
    void agentContextIsTheTaskAsServedAndItsWholeBrief() {
        String ws = newWorkspace();
        String content = "# Checkout revamp\n\n" + "Background paragraph. ".repeat(2000);
        String briefId = createBrief(ws, "Checkout revamp", content);
        String id = createTask(ws, briefId, task("Persist the cart", List.of("survives restart", "per user"),
                List.of(step("migration"), step("repository"))));

        Map<String, Object> task = as(ws).get("/api/tasks/{id}", id).then().extract().jsonPath().getMap("");
        Map<String, Object> brief = as(ws).get("/api/briefs/{id}", briefId).then().extract().jsonPath().getMap("");

        as(ws).get("/api/tasks/{id}/agent-context", id).then().statusCode(200)
                .body("task", equalTo(task))
                .body("brief", equalTo(brief))
                .body("brief.content", equalTo(content))
                .body("task.subtasks.title", contains("migration", "repository"))
                .body("task.acceptanceCriteria", contains("survives restart", "per user"))
                .body("task.agentRun", nullValue());

        // a bare task (no criteria, no subtasks) and one whose subtasks were reordered by a replacement
        String bare = createTask(ws, briefId, Map.of("title", "Bare"));
        as(ws).get("/api/tasks/{id}/agent-context", bare).then().statusCode(200)
                .body("task", equalTo(as(ws).get("/api/tasks/{id}", bare).then().extract().jsonPath().getMap("")))
                .body("task.acceptanceCriteria", empty())
                .body("task.subtasks", empty());
        List<Map<String, Object>> steps = as(ws).get("/api/tasks/{id}", id).then().extract().jsonPath()
                .getList("subtasks");
        as(ws).contentType(ContentType.JSON)
                .body(Map.of("title", "Persist the cart", "acceptanceCriteria", List.of("per user"),
                        "subtasks", List.of(Map.of("id", steps.get(1).get("id"), "title", "repository"),
                                Map.of("title", "docs"), Map.of("id", steps.get(0).get("id"), "title", "migration"))))
                .put("/api/tasks/{id}", id).then().statusCode(200);
        as(ws).get("/api/tasks/{id}/agent-context", id).then().statusCode(200)
                .body("task", equalTo(as(ws).get("/api/tasks/{id}", id).then().extract().jsonPath().getMap("")))
                .body("task.subtasks.title", contains("repository", "docs", "migration"))
                .body("task.acceptanceCriteria", contains("per user"));
    }
}
