package dev.handoff.run;

import static dev.handoff.run.RunApi.body;
import static dev.handoff.run.RunApi.launch;
import static dev.handoff.run.RunApi.task;
import static dev.handoff.run.RunApi.workspace;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.handoff.events.EventJson;
import dev.handoff.events.RunCancelRequested;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
class CancelAndRetryTest {

    private static final String RUN_CANCEL_REQUESTED = "handoff.run-cancel-requested.agent-run-service-test";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void cancellingARunStopsItAndAsksTheProviderToStop() {
        String ws = workspace("cancel");
        UUID runId = RunApi.launched(ws, task());
        RunApi.cancel(ws, runId).statusCode(200)
                .body("id", equalTo(runId.toString()))
                .body("status", equalTo("CANCELLED"))
                .body("finishedAt", notNullValue())
                .body("history.status", contains("PENDING", "CANCELLED"));

        List<ConsumerRecord<String, String>> stop = KafkaProbe.await(RUN_CANCEL_REQUESTED, KafkaProbe.ofRun(runId), 1, WAIT);
        assertEquals(1, stop.size());
        RunCancelRequested command = EventJson.fromJson(stop.get(0).value(), RunCancelRequested.class);
        assertEquals("local", command.provider());
        assertEquals(ws, command.workspaceId());
        assertEquals("RunCancelRequested", KafkaProbe.header(stop.get(0), Topics.HEADER_EVENT_TYPE));

        List<RunStatusChanged> changes = KafkaProbe.await(Topics.RUN_STATUS_CHANGED, KafkaProbe.ofRun(runId), 2, WAIT)
                .stream().map(r -> EventJson.fromJson(r.value(), RunStatusChanged.class)).toList();
        assertEquals(List.of(RunStatus.PENDING, RunStatus.CANCELLED), changes.stream().map(RunStatusChanged::status).toList());
        assertEquals(List.of(1L, 2L), changes.stream().map(RunStatusChanged::version).toList());
    }

    @Test
    void aFinishedRunCannotBeCancelled() {
        String ws = workspace("cancel");
        UUID runId = RunApi.launched(ws, task());
        RunApi.cancel(ws, runId).statusCode(200);
        RunApi.cancel(ws, runId).statusCode(409).body("code", equalTo("run-not-cancellable"));
        RunApi.cancel(ws, UUID.randomUUID()).statusCode(404).body("code", equalTo("not-found"));
    }

    @Test
    void retryStartsANewRunWithTheSameSettingsAndAFreshContext() {
        String ws = workspace("retry");
        UUID taskId = task();
        Map<String, Object> body = body();
        body.put("instructions", "Keep it small.");
        body.put("branch", "develop");
        UUID first = UUID.fromString(launch(ws, taskId, body).statusCode(201).extract().path("id"));
        RunApi.cancel(ws, first).statusCode(200);

        var retried = RunApi.retry(ws, first).statusCode(201)
                .body("id", not(equalTo(first.toString())))
                .body("taskId", equalTo(taskId.toString()))
                .body("status", equalTo("PENDING"))
                .body("repositoryUrl", equalTo(RunApi.REPOSITORY))
                .body("branch", equalTo("develop"))
                .body("instructions", equalTo("Keep it small."))
                .body("provider", equalTo("local"))
                .extract();
        String second = retried.path("id");
        assertThat(retried.header("Location"), endsWith("/api/runs/" + second));
        assertEquals("handoff/" + DownstreamStubs.TASK_SLUG + "-" + second.substring(0, 8), retried.path("targetBranch"));

        RunRequested original = requested(first);
        RunRequested again = requested(UUID.fromString(second));
        assertNotEquals(original.context().task().description(), again.context().task().description(),
                "the context was fetched again");
        assertEquals(original.instructions(), again.instructions());
    }

    @Test
    void retryKeepsAnExplicitTargetBranch() {
        String ws = workspace("retry");
        Map<String, Object> body = body();
        body.put("targetBranch", "feature/login");
        UUID first = UUID.fromString(launch(ws, task(), body).statusCode(201).extract().path("id"));
        RunApi.cancel(ws, first).statusCode(200);
        RunApi.retry(ws, first).statusCode(201).body("targetBranch", equalTo("feature/login"));
    }

    @Test
    void retryWhileTheTaskHasAnActiveRunIsRefusedNamingIt() {
        String ws = workspace("retry");
        UUID taskId = task();
        UUID first = RunApi.launched(ws, taskId);
        RunApi.retry(ws, first).statusCode(409)
                .body("code", equalTo("run-already-active"))
                .body("activeRunId", equalTo(first.toString()));

        RunApi.cancel(ws, first).statusCode(200);
        UUID second = RunApi.launched(ws, taskId);
        RunApi.retry(ws, first).statusCode(409)
                .body("code", equalTo("run-already-active"))
                .body("activeRunId", equalTo(second.toString()));
    }

    private static RunRequested requested(UUID runId) {
        List<ConsumerRecord<String, String>> records =
                KafkaProbe.await(ProviderUpdatesFlowTest.RUN_REQUESTED, KafkaProbe.ofRun(runId), 1, WAIT);
        assertEquals(1, records.size());
        return EventJson.fromJson(records.get(0).value(), RunRequested.class);
    }
}
