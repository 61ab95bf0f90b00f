package dev.handoff.run;

import static dev.handoff.run.RunApi.body;
import static dev.handoff.run.RunApi.launch;
import static dev.handoff.run.RunApi.task;
import static dev.handoff.run.RunApi.workspace;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.handoff.events.EventJson;
import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.PullRequestOpened;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Provider updates arrive on the real topic; the run's events leave on the real topics. */
@QuarkusTest
class ProviderUpdatesFlowTest {

    static final String RUN_REQUESTED = "handoff.run-requested.agent-run-service-test";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aRunMovedByProviderUpdatesEndsCompletedWithItsPullRequestAndItsEventsArePublishedInOrder() {
        String ws = workspace("flow");
        UUID taskId = task();
        UUID runId = RunApi.launched(ws, taskId);

        ConsumerRecord<String, String> requested = only(KafkaProbe.await(RUN_REQUESTED, KafkaProbe.ofRun(runId), 1, WAIT));
        RunRequested command = EventJson.fromJson(requested.value(), RunRequested.class);
        assertEquals(taskId, command.taskId());
        assertEquals("local", command.provider());
        assertEquals(DownstreamStubs.TASK_TITLE, command.context().task().title());
        assertEquals("Accounts", command.context().brief().title());
        assertEquals("RunRequested", KafkaProbe.header(requested, Topics.HEADER_EVENT_TYPE));

        KafkaProbe.publish(Topics.PROVIDER_RUN_UPDATED, update(ws, runId, RunStatus.RUNNING, null));
        String prUrl = "https://github.com/acme/shop/pull/7";
        ProviderRunUpdated completed = new ProviderRunUpdated(UUID.randomUUID(), Instant.now(), ws, runId, "local",
                "local-7", "https://agents.example/7", "FINISHED", RunStatus.COMPLETED, prUrl, "handoff/login",
                "Added the login page", null);
        KafkaProbe.publish(Topics.PROVIDER_RUN_UPDATED, completed);

        await().atMost(WAIT).untilAsserted(() -> RunApi.get(ws, runId).statusCode(200)
                .body("status", equalTo("COMPLETED")));
        RunApi.get(ws, runId)
                .body("pullRequest.url", equalTo(prUrl))
                .body("pullRequest.branch", equalTo("handoff/login"))
                .body("summary", equalTo("Added the login page"))
                .body("providerRunId", equalTo("local-7"))
                .body("providerUrl", equalTo("https://agents.example/7"))
                .body("startedAt", notNullValue())
                .body("finishedAt", notNullValue())
                .body("history.status", contains("PENDING", "RUNNING", "COMPLETED"));

        List<ConsumerRecord<String, String>> changes =
                KafkaProbe.await(Topics.RUN_STATUS_CHANGED, KafkaProbe.ofRun(runId), 3, WAIT);
        assertEquals(3, changes.size());
        List<RunStatusChanged> events = changes.stream()
                .map(r -> EventJson.fromJson(r.value(), RunStatusChanged.class)).toList();
        assertEquals(List.of(RunStatus.PENDING, RunStatus.RUNNING, RunStatus.COMPLETED),
                events.stream().map(RunStatusChanged::status).toList());
        assertEquals(List.of(1L, 2L, 3L), events.stream().map(RunStatusChanged::version).toList());
        assertNull(events.get(0).previousStatus());
        assertEquals(RunStatus.RUNNING, events.get(2).previousStatus());
        for (int i = 0; i < changes.size(); i++) {
            assertEquals("RunStatusChanged", KafkaProbe.header(changes.get(i), Topics.HEADER_EVENT_TYPE));
            assertEquals(events.get(i).eventId().toString(), KafkaProbe.header(changes.get(i), Topics.HEADER_EVENT_ID));
            assertEquals(taskId, events.get(i).taskId());
            assertEquals(ws, events.get(i).workspaceId());
        }

        ConsumerRecord<String, String> opened = only(
                KafkaProbe.await(Topics.PULL_REQUEST_OPENED, KafkaProbe.ofRun(runId), 1, WAIT));
        PullRequestOpened pr = EventJson.fromJson(opened.value(), PullRequestOpened.class);
        assertEquals(prUrl, pr.url());
        assertEquals("handoff/login", pr.branch());
        assertEquals(DownstreamStubs.TASK_TITLE, pr.title());
        assertEquals(taskId, pr.taskId());
        assertEquals("PullRequestOpened", KafkaProbe.header(opened, Topics.HEADER_EVENT_TYPE));

        // the finished run freed the task
        launch(ws, taskId, body()).statusCode(201);
    }

    @Test
    void duplicateAndLateUpdatesChangeNothing() {
        String ws = workspace("flow");
        UUID runId = RunApi.launched(ws, task());
        ProviderRunUpdated failed = new ProviderRunUpdated(UUID.randomUUID(), Instant.now(), ws, runId, "local", null,
                null, "ERROR", RunStatus.FAILED, null, null, null,
                new dev.handoff.events.ErrorInfo("repository-not-allowed", "not allowed"));
        KafkaProbe.publish(Topics.PROVIDER_RUN_UPDATED, failed);
        KafkaProbe.publish(Topics.PROVIDER_RUN_UPDATED, failed);
        KafkaProbe.publish(Topics.PROVIDER_RUN_UPDATED, update(ws, runId, RunStatus.RUNNING, null));
        ProviderRunUpdated marker = update(ws, runId, RunStatus.COMPLETED, "https://github.com/acme/shop/pull/8");
        KafkaProbe.publish(Topics.PROVIDER_RUN_UPDATED, marker);

        // the last message was consumed once it is recorded as processed (the partition is in order)
        await().atMost(WAIT).until(() -> processed(marker.eventId()));
        RunApi.get(ws, runId).body("status", equalTo("FAILED"))
                .body("error.code", equalTo("repository-not-allowed"))
                .body("pullRequest", equalTo(null))
                .body("history.status", contains("PENDING", "FAILED"));
        assertEquals(List.of(RunStatus.PENDING, RunStatus.FAILED),
                Outboxes.statusChanges(runId).stream().map(RunStatusChanged::status).toList());
    }

    @Test
    void brokenMessagesGoToTheDeadLetterTopicAndDoNotBlockThePartition() {
        String ws = workspace("flow");
        UUID runId = RunApi.launched(ws, task());
        String key = runId.toString();
        String unreadableId = UUID.randomUUID().toString();
        String withoutRunId = UUID.randomUUID().toString();
        KafkaProbe.publishRaw(Topics.PROVIDER_RUN_UPDATED, key, "{this is not json", "ProviderRunUpdated", unreadableId);
        KafkaProbe.publishRaw(Topics.PROVIDER_RUN_UPDATED, key,
                "{\"eventId\":\"" + withoutRunId + "\",\"status\":\"RUNNING\"}", "ProviderRunUpdated", withoutRunId);
        // same key, same partition, after the broken ones: still applied
        KafkaProbe.publish(Topics.PROVIDER_RUN_UPDATED, update(ws, runId, RunStatus.RUNNING, null));

        await().atMost(WAIT).untilAsserted(() -> RunApi.get(ws, runId).body("status", equalTo("RUNNING")));
        List<ConsumerRecord<String, String>> dead = KafkaProbe.await(Topics.PROVIDER_RUN_UPDATED + Topics.DLQ_SUFFIX,
                record -> key.equals(record.key()), 2, WAIT);
        assertEquals(List.of(unreadableId, withoutRunId),
                dead.stream().map(r -> KafkaProbe.header(r, Topics.HEADER_EVENT_ID)).toList());
        dead.forEach(r -> assertEquals(true, KafkaProbe.header(r, "dead-letter-reason") != null,
                "the DLQ record says why"));
    }

    @Test
    void updatesForUnknownRunsAreIgnored() {
        UUID unknown = UUID.randomUUID();
        ProviderRunUpdated stray = update("someone-else", unknown, RunStatus.RUNNING, null);
        KafkaProbe.publish(Topics.PROVIDER_RUN_UPDATED, stray);
        String brokenId = UUID.randomUUID().toString();
        KafkaProbe.publishRaw(Topics.PROVIDER_RUN_UPDATED, unknown.toString(), "{", "ProviderRunUpdated", brokenId);
        // same key, same partition: had the stray update gone to the DLQ, it would be there before the broken one
        List<ConsumerRecord<String, String>> dead = KafkaProbe.await(Topics.PROVIDER_RUN_UPDATED + Topics.DLQ_SUFFIX,
                record -> unknown.toString().equals(record.key()), 1, WAIT);
        assertEquals(List.of(brokenId), dead.stream().map(r -> KafkaProbe.header(r, Topics.HEADER_EVENT_ID)).toList());
        assertEquals(false, processed(stray.eventId()));
    }

    static ProviderRunUpdated update(String ws, UUID runId, RunStatus status, String pullRequestUrl) {
        return new ProviderRunUpdated(UUID.randomUUID(), Instant.now(), ws, runId, "local", "local-" + runId, null,
                status.name(), status, pullRequestUrl, null, null, null);
    }

    private static boolean processed(UUID eventId) {
        try (var db = dev.handoff.testsupport.HandoffTestResource.database().connect();
                var query = db.prepareStatement("select 1 from processed_events where event_id = ?")) {
            query.setObject(1, eventId);
            try (var rows = query.executeQuery()) {
                return rows.next();
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T only(List<T> items) {
        assertEquals(1, items.size(), "exactly one");
        return items.get(0);
    }
}
