package dev.handoff.run;

import static dev.handoff.run.RunApi.body;
import static dev.handoff.run.RunApi.launch;
import static dev.handoff.run.RunApi.task;
import static dev.handoff.run.RunApi.workspace;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.EventJson;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** "Only one background agent run can be active for a given task at a time", under load. */
@QuarkusTest
class OneActiveRunPerTaskTest {

    private static final int LAUNCHES = 50;

    @TestHTTPResource("/")
    URL base;

    @Test
    void fiftySimultaneousLaunchesOnANewTaskCreateExactlyOneRun() throws Exception {
        String ws = workspace("ws");
        UUID taskId = task();
        assertExactlyOneWins(ws, taskId);
    }

    @Test
    void fiftySimultaneousLaunchesOnATaskWithAFinishedRunCreateExactlyOneRun() throws Exception {
        String ws = workspace("ws");
        UUID taskId = task();
        UUID finished = RunApi.launched(ws, taskId);
        RunApi.cancel(ws, finished).statusCode(200);
        assertExactlyOneWins(ws, taskId);
    }

    @Test
    void aSecondLaunchWhileTheFirstIsActiveIsRefusedWithTheActiveRunId() {
        String ws = workspace("ws");
        UUID taskId = task();
        UUID first = RunApi.launched(ws, taskId);
        launch(ws, taskId, body()).statusCode(409)
                .contentType("application/problem+json")
                .body("code", equalTo("run-already-active"))
                .body("activeRunId", equalTo(first.toString()));
    }

    @Test
    void aTaskIsFreeForANewLaunchOnceItsRunFinished() {
        String ws = workspace("ws");
        UUID taskId = task();
        UUID first = RunApi.launched(ws, taskId);
        RunApi.cancel(ws, first).statusCode(200);
        UUID second = RunApi.launched(ws, taskId);
        assertTrue(!first.equals(second));
    }

    @Test
    void theDatabaseRefusesASecondActiveRunForATaskWhateverTheCodeDoes() throws Exception {
        String ws = workspace("ws");
        UUID taskId = task();
        UUID first = RunApi.launched(ws, taskId);
        try (Connection db = HandoffTestResource.database().connect()) {
            SQLException refused = assertThrows(SQLException.class, () -> {
                try (PreparedStatement copy = db.prepareStatement("""
                        insert into runs (id, workspace_id, task_id, task_title, status, provider, repository_url, branch,
                                          target_branch, created_at, updated_at, status_version, history, context)
                        select ?, workspace_id, task_id, task_title, 'RUNNING', provider, repository_url, branch,
                               target_branch, created_at, updated_at, 1, history, context
                          from runs where id = ?""")) {
                    copy.setObject(1, UUID.randomUUID());
                    copy.setObject(2, first);
                    copy.executeUpdate();
                }
            });
            assertEquals("23505", refused.getSQLState());
        }
    }

    private void assertExactlyOneWins(String ws, UUID taskId) throws Exception {
        String token = Tokens.bearer(Tokens.member(ws));
        String json = EventJson.toJson(body());
        URI uri = URI.create(base.toString().replaceAll("/$", "") + "/api/tasks/" + taskId + "/runs");
        var pool = Executors.newFixedThreadPool(LAUNCHES);
        HttpClient client = HttpClient.newBuilder().executor(pool).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        try {
            List<CompletableFuture<HttpResponse<String>>> launches = new ArrayList<>();
            for (int i = 0; i < LAUNCHES; i++) {
                HttpRequest request = HttpRequest.newBuilder(uri)
                        .header("Authorization", token)
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build();
                launches.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            CompletableFuture.allOf(launches.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);

            Map<Integer, List<JsonNode>> byStatus = launches.stream().map(CompletableFuture::join)
                    .collect(Collectors.groupingBy(HttpResponse::statusCode,
                            Collectors.mapping(r -> read(r.body()), Collectors.toList())));
            assertEquals(Set.of(201, 409), byStatus.keySet(), () -> "statuses: " + summary(byStatus));
            assertEquals(1, byStatus.get(201).size());
            assertEquals(LAUNCHES - 1, byStatus.get(409).size());
            String winner = byStatus.get(201).get(0).get("id").asText();
            for (JsonNode refused : byStatus.get(409)) {
                assertEquals("run-already-active", refused.get("code").asText());
                assertEquals(winner, refused.get("activeRunId").asText());
            }
            assertEquals(1, activeRunsInDatabase(taskId));
        } finally {
            pool.shutdownNow();
        }
    }

    private static long activeRunsInDatabase(UUID taskId) throws SQLException {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement count = db.prepareStatement(
                        "select count(*) from runs where task_id = ? and status in ('PENDING', 'RUNNING')")) {
            count.setObject(1, taskId);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static String summary(Map<Integer, List<JsonNode>> byStatus) {
        return byStatus.entrySet().stream()
                .map(e -> e.getKey() + " x" + e.getValue().size() + " e.g. " + e.getValue().get(0))
                .collect(Collectors.joining("; "));
    }

    private static JsonNode read(String body) {
        try {
            return EventJson.mapper().readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
