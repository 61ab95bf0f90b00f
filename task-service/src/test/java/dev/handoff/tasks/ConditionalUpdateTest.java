package dev.handoff.tasks;

import static dev.handoff.tasks.Api.as;
import static dev.handoff.tasks.Api.createBrief;
import static dev.handoff.tasks.Api.newWorkspace;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract's v2 update rules: PUT takes what GET answers (read-only fields are ignored), GET answers an ETag, and
 * a PUT or DELETE whose If-Match is no longer current is 412 {@code precondition-failed} and changes nothing.
 */
@QuarkusTest
class ConditionalUpdateTest {

    private static final String STRONG_ETAG = "\"[^\"]+\"";

    private final String ws = newWorkspace();

    private ExtractableResponse<Response> read(String path, String id) {
        return as(ws).get(path, id).then().statusCode(200).header("ETag", matchesPattern(STRONG_ETAG)).extract();
    }

    @Test
    void aBriefAsReadCanBeChangedAndPutBackWithItsETagAndAStaleETagIsRefused() {
        String id = createBrief(ws, "Checkout", "# Checkout\n\nCarts get lost.");
        ExtractableResponse<Response> read = read("/api/briefs/{id}", id);
        String etag = read.header("ETag");
        Map<String, Object> brief = new LinkedHashMap<>(read.jsonPath().getMap(""));
        assertThat(brief.keySet(), contains("id", "title", "content", "createdAt", "updatedAt"));

        brief.put("title", "Checkout, second thoughts");
        ExtractableResponse<Response> put = as(ws).header("If-Match", etag).body(brief)
                .put("/api/briefs/{id}", id).then().statusCode(200)
                .header("ETag", matchesPattern(STRONG_ETAG))
                .body("title", equalTo("Checkout, second thoughts"))
                .body("content", equalTo("# Checkout\n\nCarts get lost."))
                .body("createdAt", equalTo(brief.get("createdAt")))
                .extract();
        String current = put.header("ETag");
        assertThat(current, not(equalTo(etag)));
        assertThat(read("/api/briefs/{id}", id).header("ETag"), equalTo(current));

        // the same change based on the old revision: refused, nothing changes
        brief.put("title", "lost update");
        as(ws).header("If-Match", etag).body(brief).put("/api/briefs/{id}", id).then().statusCode(412)
                .contentType("application/problem+json")
                .body("code", equalTo("precondition-failed"))
                .header("ETag", equalTo(current));
        ExtractableResponse<Response> after = read("/api/briefs/{id}", id);
        assertThat(after.path("title"), equalTo("Checkout, second thoughts"));
        assertThat(after.header("ETag"), equalTo(current));

        // a list item's read-only contentLength may come back too; `*` matches any revision; no If-Match works as before
        brief.put("contentLength", 27);
        brief.put("title", "with a star");
        as(ws).header("If-Match", "*").body(brief).put("/api/briefs/{id}", id).then().statusCode(200)
                .body("title", equalTo("with a star"));
        brief.put("title", "unconditional");
        as(ws).body(brief).put("/api/briefs/{id}", id).then().statusCode(200).body("title", equalTo("unconditional"));

        // strictness stays for everything that is not read-only
        brief.put("owner", "me");
        as(ws).body(brief).put("/api/briefs/{id}", id).then().statusCode(400)
                .body("code", equalTo("validation-failed"))
                .body("violations.field", contains("owner"))
                .body("violations[0].message", equalTo("unknown field"));
        as(ws).get("/api/briefs/{id}", id).then().body("title", equalTo("unconditional"));
    }

    @Test
    void aTaskAsReadCanBeChangedAndPutBackKeepingItsSubtaskIdsAndAStaleETagIsRefused() {
        String briefId = createBrief(ws, "b", "");
        String id = as(ws).body(Map.of("title", "Persist the cart", "acceptanceCriteria", List.of("survives restart"),
                        "subtasks", List.of(Map.of("title", "migration"), Map.of("title", "repository"))))
                .post("/api/briefs/{briefId}/tasks", briefId).then().statusCode(201)
                .header("ETag", matchesPattern(STRONG_ETAG)).extract().path("id");
        String etagBeforeRun = read("/api/tasks/{id}", id).header("ETag");

        // a run makes agentRun an object: it is sent back too, and ignored; run events leave the ETag alone
        UUID runId = UUID.randomUUID();
        KafkaProbe.publish(Topics.RUN_STATUS_CHANGED, new RunStatusChanged(UUID.randomUUID(), Instant.now(), ws,
                runId, UUID.fromString(id), null, RunStatus.PENDING, 1, "launched", null));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                as(ws).get("/api/tasks/{id}", id).then().extract().path("agentRun.runId"), equalTo(runId.toString())));

        ExtractableResponse<Response> read = read("/api/tasks/{id}", id);
        String etag = read.header("ETag");
        assertThat(etag, equalTo(etagBeforeRun));
        Map<String, Object> task = new LinkedHashMap<>(read.jsonPath().getMap(""));
        assertThat(task.get("agentRun"), notNullValue());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> subtasks = new ArrayList<>((List<Map<String, Object>>) task.get("subtasks"));
        List<Object> subtaskIds = subtasks.stream().map(s -> s.get("id")).toList();

        // rename the task and the second subtask, and move it to the front; the positions sent back are now stale
        task.put("title", "Persist the cart server-side");
        Map<String, Object> second = new LinkedHashMap<>(subtasks.get(1));
        second.put("title", "repository, renamed");
        task.put("subtasks", List.of(second, subtasks.get(0)));
        ExtractableResponse<Response> put = as(ws).header("If-Match", etag).body(task)
                .put("/api/tasks/{id}", id).then().statusCode(200)
                .header("ETag", matchesPattern(STRONG_ETAG))
                .body("title", equalTo("Persist the cart server-side"))
                .body("subtasks.id", contains(subtaskIds.get(1), subtaskIds.get(0)))
                .body("subtasks.title", contains("repository, renamed", "migration"))
                .body("subtasks.position", contains(0, 1))
                .body("acceptanceCriteria", contains("survives restart"))
                .body("agentRun.runId", equalTo(runId.toString()))
                .body("briefId", equalTo(briefId))
                .body("createdAt", equalTo(task.get("createdAt")))
                .extract();
        String current = put.header("ETag");
        assertThat(current, not(equalTo(etag)));

        // the old revision again: 412, and the task is as the first PUT left it
        task.put("title", "lost update");
        task.put("subtasks", List.of());
        as(ws).header("If-Match", etag).body(task).put("/api/tasks/{id}", id).then().statusCode(412)
                .contentType("application/problem+json")
                .body("code", equalTo("precondition-failed"));
        as(ws).get("/api/tasks/{id}", id).then().statusCode(200)
                .header("ETag", equalTo(current))
                .body("title", equalTo("Persist the cart server-side"))
                .body("subtasks.id", contains(subtaskIds.get(1), subtaskIds.get(0)));

        // a list of tags naming the current one matches; a weak tag never does (If-Match compares strongly)
        Map<String, Object> again = new LinkedHashMap<>(as(ws).get("/api/tasks/{id}", id).then().extract()
                .jsonPath().getMap(""));
        again.put("description", "now with a description");
        as(ws).header("If-Match", "W/" + current).body(again).put("/api/tasks/{id}", id).then().statusCode(412);
        as(ws).header("If-Match", etag + ", " + current).body(again).put("/api/tasks/{id}", id).then()
                .statusCode(200).body("description", equalTo("now with a description"))
                .body("subtasks.id", contains(subtaskIds.get(1), subtaskIds.get(0)));

        // read-only fields only: an unknown field inside a subtask is still refused
        @SuppressWarnings("unchecked")
        Map<String, Object> step = new LinkedHashMap<>(((List<Map<String, Object>>) again.get("subtasks")).get(0));
        step.put("priority", "high");
        again.put("subtasks", List.of(step));
        as(ws).body(again).put("/api/tasks/{id}", id).then().statusCode(400)
                .body("violations.field", contains("subtasks[0].priority"))
                .body("violations[0].message", equalTo("unknown field"));
    }

    @Test
    void ofConcurrentChangesBasedOnTheSameETagExactlyOneWinsAndTheOthersAre412() throws Exception {
        String briefId = createBrief(ws, "b", "");
        String id = as(ws).body(Map.of("title", "contended")).post("/api/briefs/{briefId}/tasks", briefId).then()
                .statusCode(201).extract().path("id");
        String etag = read("/api/tasks/{id}", id).header("ETag");

        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int writer = 0; writer < 6; writer++) {
                Map<String, Object> body = Map.of("title", "writer " + writer);
                answers.add(pool.submit(() -> as(ws).header("If-Match", etag).body(body).put("/api/tasks/{id}", id)
                        .statusCode()));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get(60, TimeUnit.SECONDS));
            }
            assertThat(statuses.stream().filter(status -> status == 200).count(), equalTo(1L));
            assertThat(statuses.stream().filter(status -> status == 412).count(), equalTo(5L));
        } finally {
            pool.shutdownNow();
        }
        assertThat(read("/api/tasks/{id}", id).header("ETag"), not(equalTo(etag)));
    }

    @Test
    void aDeleteWithAStaleETagIsRefusedAndKeepsTheBriefOrTask() {
        String briefId = createBrief(ws, "to keep", "");
        String staleBrief = read("/api/briefs/{id}", briefId).header("ETag");
        as(ws).body(Map.of("title", "changed")).put("/api/briefs/{id}", briefId).then().statusCode(200);
        String taskId = as(ws).body(Map.of("title", "task")).post("/api/briefs/{briefId}/tasks", briefId).then()
                .statusCode(201).extract().path("id");
        String staleTask = read("/api/tasks/{id}", taskId).header("ETag");
        as(ws).body(Map.of("title", "task, changed")).put("/api/tasks/{id}", taskId).then().statusCode(200);

        as(ws).header("If-Match", staleTask).delete("/api/tasks/{id}", taskId).then().statusCode(412)
                .contentType("application/problem+json").body("code", equalTo("precondition-failed"));
        as(ws).header("If-Match", staleBrief).delete("/api/briefs/{id}", briefId).then().statusCode(412)
                .body("code", equalTo("precondition-failed"));
        as(ws).get("/api/tasks/{id}", taskId).then().statusCode(200).body("title", equalTo("task, changed"));
        as(ws).get("/api/briefs/{id}", briefId).then().statusCode(200).body("title", equalTo("changed"));

        as(ws).header("If-Match", read("/api/tasks/{id}", taskId).header("ETag")).delete("/api/tasks/{id}", taskId)
                .then().statusCode(204);
        as(ws).header("If-Match", read("/api/briefs/{id}", briefId).header("ETag")).delete("/api/briefs/{id}", briefId)
                .then().statusCode(204);
        as(ws).get("/api/briefs/{id}", briefId).then().statusCode(404);
        // gone, or another workspace's: 404 whatever If-Match says
        as(ws).header("If-Match", "*").delete("/api/briefs/{id}", briefId).then().statusCode(404)
                .body("code", equalTo("not-found"));
    }
}
