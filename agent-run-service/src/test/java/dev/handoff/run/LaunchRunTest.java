package dev.handoff.run;

import static dev.handoff.run.RunApi.as;
import static dev.handoff.run.RunApi.body;
import static dev.handoff.run.RunApi.launch;
import static dev.handoff.run.RunApi.task;
import static dev.handoff.run.RunApi.workspace;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class LaunchRunTest {

    @Test
    void launchCreatesAPendingRunWithTheDefaultTargetBranchAndLocation() {
        String ws = workspace("ws");
        UUID taskId = task();
        Map<String, Object> body = body();
        body.put("instructions", "Use the existing design system.");
        var response = launch(ws, taskId, body).statusCode(201)
                .contentType(ContentType.JSON)
                .body("taskId", equalTo(taskId.toString()))
                .body("status", equalTo("PENDING"))
                .body("provider", equalTo("local"))
                .body("repositoryUrl", equalTo(RunApi.REPOSITORY))
                .body("branch", equalTo("main"))
                .body("instructions", equalTo("Use the existing design system."))
                .body("providerRunId", nullValue())
                .body("pullRequest", nullValue())
                .body("error", nullValue())
                .body("createdAt", notNullValue())
                .body("startedAt", nullValue())
                .body("history", hasSize(1))
                .body("history[0].status", equalTo("PENDING"))
                .extract();
        String id = response.path("id");
        assertThat(response.header("Location"), endsWith("/api/runs/" + id));
        assertThat(response.path("targetBranch"),
                equalTo("handoff/" + DownstreamStubs.TASK_SLUG + "-" + id.substring(0, 8)));

        RunApi.get(ws, UUID.fromString(id)).statusCode(200).body("id", equalTo(id)).body("status", equalTo("PENDING"));
    }

    @Test
    void anExplicitTargetBranchAndProviderAreKept() {
        String ws = workspace("cursor");
        Map<String, Object> body = body();
        body.put("targetBranch", "feature/login");
        body.put("provider", "cursor");
        launch(ws, task(), body).statusCode(201)
                .body("targetBranch", equalTo("feature/login"))
                .body("provider", equalTo("cursor"));
    }

    @Test
    void theProviderDefaultsToTheWorkspacesConfiguredOne() {
        launch(workspace("cursor"), task(), body()).statusCode(201).body("provider", equalTo("cursor"));
    }

    @Test
    void badBodiesAreRefusedNamingEveryBadField() {
        String ws = workspace("ws");
        launch(ws, task(), Map.of()).statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("validation-failed"))
                .body("violations.field", containsInAnyOrder("repositoryUrl", "branch"));

        Map<String, Object> body = body();
        body.put("repositoryUrl", "ftp://example.com/repo.git");
        body.put("branch", "feature..x");
        body.put("targetBranch", "-rf");
        body.put("instructions", "x".repeat(10_001));
        body.put("provider", "gitlab");
        launch(ws, task(), body).statusCode(400)
                .body("violations.field",
                        containsInAnyOrder("repositoryUrl", "branch", "targetBranch", "instructions", "provider"));

        Map<String, Object> credentials = body();
        credentials.put("repositoryUrl", "https://user:secret@github.com/acme/shop.git");
        launch(ws, task(), credentials).statusCode(400).body("violations[0].field", equalTo("repositoryUrl"));

        Map<String, Object> fileWithCursor = body();
        fileWithCursor.put("repositoryUrl", "file:///srv/repos/shop");
        fileWithCursor.put("provider", "cursor");
        launch(ws, task(), fileWithCursor).statusCode(400).body("violations[0].field", equalTo("repositoryUrl"));

        launch(ws, task(), "{\"repositoryUrl\": ").statusCode(400).body("code", equalTo("validation-failed"));
        as(ws).contentType(ContentType.JSON).post("/api/tasks/{id}/runs", task()).then()
                .statusCode(400).body("code", equalTo("validation-failed"));
        launch(ws, task(), "{\"repositoryUrl\": \"https://github.com/a/b\", \"branch\": \"main\", \"colour\": 1}")
                .statusCode(400).body("violations[0].field", equalTo("colour"));
        launch(ws, task(), "{\"repositoryUrl\": \"https://github.com/a/b\", \"branch\": [1]}")
                .statusCode(400).body("violations[0].field", equalTo("branch"));
        as(ws).header("Idempotency-Key", "has spaces in it").contentType(ContentType.JSON)
                .body(dev.handoff.events.EventJson.toJson(body())).post("/api/tasks/{id}/runs", task())
                .then().statusCode(400).body("violations[0].field", equalTo("Idempotency-Key"));
    }

    @Test
    void fileUrlsWorkWithTheLocalProviderOnly() {
        Map<String, Object> body = body();
        body.put("repositoryUrl", "file:///srv/repos/shop");
        launch(workspace("ws"), task(), body).statusCode(201).body("provider", equalTo("local"));
        // the configured provider of a cursor workspace is not local
        launch(workspace("cursor"), task(), body).statusCode(400).body("violations[0].field", equalTo("repositoryUrl"));
    }

    @Test
    void aProviderOtherThanTheOneTheAdminConfiguredAndEnabledIsRefusedAndNothingIsCreated() {
        String local = workspace("ws");
        UUID taskId = task();
        Map<String, Object> cursor = body();
        cursor.put("provider", "cursor");
        launch(local, taskId, cursor).statusCode(422)
                .contentType("application/problem+json")
                .body("code", equalTo("provider-not-enabled"));
        as(local).get("/api/tasks/{id}/runs", taskId).then().statusCode(200).body("$", hasSize(0));

        String cursorWorkspace = workspace("cursor");
        UUID cursorTask = task();
        Map<String, Object> asLocal = body();
        asLocal.put("provider", "local");
        launch(cursorWorkspace, cursorTask, asLocal).statusCode(422).body("code", equalTo("provider-not-enabled"));
        as(cursorWorkspace).get("/api/tasks/{id}/runs", cursorTask).then().statusCode(200).body("$", hasSize(0));

        // the configured one, named or not, is launched
        launch(cursorWorkspace, cursorTask, cursor).statusCode(201).body("provider", equalTo("cursor"));
    }

    @Test
    void aTargetBranchEqualToTheBranchIsRefused() {
        Map<String, Object> body = body();
        body.put("targetBranch", "main");
        launch(workspace("ws"), task(), body).statusCode(400)
                .body("code", equalTo("validation-failed"))
                .body("violations.field", containsInAnyOrder("targetBranch"));
    }

    @Test
    void scpLikeAndSshUrlsAreAccepted() {
        Map<String, Object> scp = body();
        scp.put("repositoryUrl", "git@github.com:acme/shop.git");
        launch(workspace("ws"), task(), scp).statusCode(201);
        Map<String, Object> ssh = body();
        ssh.put("repositoryUrl", "ssh://git@github.com/acme/shop.git");
        launch(workspace("ws"), task(), ssh).statusCode(201);
    }

    @Test
    void anUnknownTaskIsNotFound() {
        UUID missing = UUID.fromString(DownstreamStubs.MISSING_TASK + "-0000-4000-8000-000000000000");
        launch(workspace("ws"), missing, body()).statusCode(404).body("code", equalTo("not-found"));
    }

    @Test
    void aWorkspaceWithoutAgentsConfiguredIsRefused() {
        launch(workspace("noconfig"), task(), body()).statusCode(422).body("code", equalTo("agents-not-configured"));
        launch(workspace("disabled"), task(), body()).statusCode(422).body("code", equalTo("agents-disabled"));
    }

    @Test
    void aHangingTaskServiceIsAnswered503WithinTheTimeout() {
        UUID hanging = UUID.fromString(DownstreamStubs.HANGING_TASK + "-0000-4000-8000-000000000000");
        String ws = workspace("ws");
        RunApi.launched(ws, task()); // a warm launch path: the clock measures the timeout, not class loading
        long started = System.nanoTime();
        launch(ws, hanging, body()).statusCode(503).body("code", equalTo("provider-unavailable"));
        assertThat(Duration.ofNanos(System.nanoTime() - started), lessThan(Duration.ofSeconds(5)));
    }

    @Test
    void aHangingGatewayIsAnswered503WithinTheTimeout() {
        RunApi.launched(workspace("ws"), task());
        String ws = workspace("gwdown");
        long started = System.nanoTime();
        launch(ws, task(), body()).statusCode(503).body("code", equalTo("provider-unavailable"));
        assertThat(Duration.ofNanos(System.nanoTime() - started), lessThan(Duration.ofSeconds(5)));
    }

    @Test
    void anotherWorkspacesRunDoesNotExist() {
        String owner = workspace("ws");
        UUID taskId = task();
        UUID runId = RunApi.launched(owner, taskId);
        String stranger = workspace("ws");
        RunApi.get(stranger, runId).statusCode(404).body("code", equalTo("not-found"));
        RunApi.cancel(stranger, runId).statusCode(404);
        RunApi.retry(stranger, runId).statusCode(404);
        as(stranger).get("/api/tasks/{id}/runs", taskId).then().statusCode(200).body("$", hasSize(0));
        as(stranger).get("/api/runs?status=PENDING").then().statusCode(200).body("$", hasSize(0));
        RunApi.get(owner, runId).statusCode(200).body("status", equalTo("PENDING"));
    }

    @Test
    void withoutATokenTheCallerIsUnauthorized() {
        given().contentType(ContentType.JSON).body("{}").post("/api/tasks/{id}/runs", task())
                .then().statusCode(401).body("code", equalTo("unauthorized"));
        given().get("/api/runs/{id}", UUID.randomUUID()).then().statusCode(401);
    }

    @Test
    void runsAreListedByStatusAndByTaskNewestFirst() {
        String ws = workspace("ws");
        UUID taskId = task();
        UUID first = RunApi.launched(ws, taskId);
        RunApi.cancel(ws, first).statusCode(200);
        UUID second = RunApi.launched(ws, taskId);

        as(ws).get("/api/tasks/{id}/runs", taskId).then().statusCode(200)
                .body("id", org.hamcrest.Matchers.contains(second.toString(), first.toString()));
        as(ws).get("/api/runs?status=PENDING").then().statusCode(200)
                .body("id", org.hamcrest.Matchers.contains(second.toString()));
        as(ws).get("/api/runs?status=CANCELLED").then().statusCode(200)
                .body("id", org.hamcrest.Matchers.contains(first.toString()));
        as(ws).get("/api/runs").then().statusCode(200).body("id", hasItem(first.toString()));
        as(ws).get("/api/runs?status=SLEEPING").then().statusCode(400)
                .body("code", equalTo("validation-failed")).body("violations[0].field", equalTo("status"));
    }

    @Test
    void theSameIdempotencyKeyAndBodyAnswerTheSameRun() {
        String ws = workspace("ws");
        UUID taskId = task();
        String json = dev.handoff.events.EventJson.toJson(body());
        var first = as(ws).header("Idempotency-Key", "launch-42").contentType(ContentType.JSON).body(json)
                .post("/api/tasks/{id}/runs", taskId).then().statusCode(201).extract();
        String id = first.path("id");
        as(ws).header("Idempotency-Key", "launch-42").contentType(ContentType.JSON).body(json)
                .post("/api/tasks/{id}/runs", taskId).then().statusCode(200)
                .header("Location", endsWith("/api/runs/" + id))
                .body("id", equalTo(id));

        Map<String, Object> other = body();
        other.put("branch", "develop");
        as(ws).header("Idempotency-Key", "launch-42").contentType(ContentType.JSON)
                .body(dev.handoff.events.EventJson.toJson(other))
                .post("/api/tasks/{id}/runs", taskId).then().statusCode(422)
                .body("code", equalTo("idempotency-key-reused"));
        // the key belongs to its workspace only
        as(workspace("ws")).header("Idempotency-Key", "launch-42").contentType(ContentType.JSON).body(json)
                .post("/api/tasks/{id}/runs", task()).then().statusCode(201);
    }

    @Test
    void aWorkspaceAtItsActiveRunCapIsAnswered429WithRetryAfter() {
        String ws = workspace("ws");
        for (int i = 0; i < 20; i++) {
            RunApi.launched(ws, task());
        }
        launch(ws, task(), body()).statusCode(429)
                .body("code", equalTo("concurrency-limit"))
                .header("Retry-After", notNullValue());
        // a finished run frees a slot
        UUID any = UUID.fromString(as(ws).get("/api/runs?status=PENDING").then().extract().path("[0].id"));
        RunApi.cancel(ws, any).statusCode(200);
        launch(ws, task(), body()).statusCode(201);
    }

    @Test
    void simultaneousLaunchesOnManyTasksNeverPassTheWorkspaceCap() throws Exception {
        String ws = workspace("ws");
        java.util.List<UUID> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            tasks.add(task());
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(30);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (UUID task : tasks) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return launch(ws, task, body()).extract().statusCode();
                }));
            }
            start.countDown();
            java.util.Map<Integer, Integer> byStatus = new java.util.TreeMap<>();
            for (var answer : answers) {
                byStatus.merge(answer.get(60, java.util.concurrent.TimeUnit.SECONDS), 1, Integer::sum);
            }
            org.junit.jupiter.api.Assertions.assertEquals(java.util.Map.of(201, 20, 429, 10), byStatus);
        } finally {
            pool.shutdownNow();
        }
        org.junit.jupiter.api.Assertions.assertEquals(20,
                as(ws).get("/api/runs?status=PENDING").then().statusCode(200).extract().jsonPath().getList("id").size());
    }
}
