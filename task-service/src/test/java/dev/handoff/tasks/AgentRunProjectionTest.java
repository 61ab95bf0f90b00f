package dev.handoff.tasks;

import static dev.handoff.tasks.Api.as;
import static dev.handoff.tasks.Api.createBrief;
import static dev.handoff.tasks.Api.createTask;
import static dev.handoff.tasks.Api.newWorkspace;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.handoff.events.ErrorInfo;
import dev.handoff.events.PullRequestOpened;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The task's agentRun, kept current from events published to the real topics as the run service publishes them. */
@QuarkusTest
class AgentRunProjectionTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private final String ws = newWorkspace();
    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    private String newTask() {
        return createTask(ws, createBrief(ws, "brief", ""), Map.of("title", "task"));
    }

    private static RunStatusChanged status(String ws, String taskId, UUID runId, RunStatus previous, RunStatus status,
            long version, Instant at) {
        return new RunStatusChanged(UUID.randomUUID(), at, ws, runId, UUID.fromString(taskId), previous, status,
                version, "moved to " + status, status == RunStatus.FAILED ? new ErrorInfo("agent-error", "it broke") : null);
    }

    private RunStatusChanged status(String taskId, UUID runId, RunStatus previous, RunStatus status, long version,
            Instant at) {
        return status(ws, taskId, runId, previous, status, version, at);
    }

    private static void publish(RunStatusChanged event) {
        KafkaProbe.publish(Topics.RUN_STATUS_CHANGED, event);
    }

    private JsonPath agentRunOf(String taskId) {
        return as(ws).get("/api/tasks/{id}", taskId).then().statusCode(200).extract().jsonPath();
    }

    private void awaitAgentRun(String taskId, UUID runId, String status) {
        await().atMost(PATIENCE).untilAsserted(() -> {
            JsonPath task = agentRunOf(taskId);
            assertThat(task.getString("agentRun.runId"), equalTo(runId.toString()));
            assertThat(task.getString("agentRun.status"), equalTo(status));
        });
    }

    /** Events of one run share a partition, so once this one is recorded every earlier one was handled. */
    private static void awaitProcessed(UUID eventId) {
        await().atMost(PATIENCE).until(() -> processed(eventId));
    }

    private static boolean processed(UUID eventId) throws Exception {
        try (Connection connection = HandoffTestResource.database().connect();
                PreparedStatement statement = connection.prepareStatement(
                        "select count(*) from processed_events where event_id = ?")) {
            statement.setObject(1, eventId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1) == 1;
            }
        }
    }

    @Test
    void statusEventsOnTheTopicUpdateTheTasksAgentRun() {
        String taskId = newTask();
        UUID runId = UUID.randomUUID();
        assertThat(agentRunOf(taskId).get("agentRun"), nullValue());

        publish(status(taskId, runId, null, RunStatus.PENDING, 1, t0));
        awaitAgentRun(taskId, runId, "PENDING");

        publish(status(taskId, runId, RunStatus.PENDING, RunStatus.RUNNING, 2, t0.plusSeconds(5)));
        awaitAgentRun(taskId, runId, "RUNNING");
        JsonPath task = agentRunOf(taskId);
        assertThat(Instant.parse(task.getString("agentRun.updatedAt")), equalTo(t0.plusSeconds(5)));
        assertThat(task.get("agentRun.pullRequestUrl"), nullValue());

        // the agent context carries the same agentRun
        as(ws).get("/api/tasks/{id}/agent-context", taskId).then().statusCode(200)
                .body("task.agentRun.runId", equalTo(runId.toString()))
                .body("task.agentRun.status", equalTo("RUNNING"));
    }

    @Test
    void replayedOrOlderEventsDoNotRollTheRunBack() {
        String taskId = newTask();
        UUID runId = UUID.randomUUID();
        RunStatusChanged pending = status(taskId, runId, null, RunStatus.PENDING, 1, t0);
        RunStatusChanged running = status(taskId, runId, RunStatus.PENDING, RunStatus.RUNNING, 2, t0.plusSeconds(1));
        RunStatusChanged completed = status(taskId, runId, RunStatus.RUNNING, RunStatus.COMPLETED, 3, t0.plusSeconds(9));

        // out of order: the final status arrives first
        publish(completed);
        publish(running);
        awaitAgentRun(taskId, runId, "COMPLETED");

        // a redelivery of the same event, then the older PENDING that arrives last
        publish(running);
        publish(pending);
        awaitProcessed(pending.eventId());

        JsonPath task = agentRunOf(taskId);
        assertThat(task.getString("agentRun.status"), equalTo("COMPLETED"));
        assertThat(Instant.parse(task.getString("agentRun.updatedAt")), equalTo(t0.plusSeconds(9)));
    }

    @Test
    void pullRequestEventSetsTheUrlWhetherItComesBeforeOrAfterTheStatus() {
        String before = newTask();
        UUID firstRun = UUID.randomUUID();
        KafkaProbe.publish(Topics.PULL_REQUEST_OPENED, new PullRequestOpened(UUID.randomUUID(), t0.plusSeconds(8), ws,
                firstRun, UUID.fromString(before), "https://github.com/acme/shop/pull/41", "handoff/cart-1", "Cart"));
        publish(status(before, firstRun, RunStatus.RUNNING, RunStatus.COMPLETED, 3, t0.plusSeconds(9)));
        await().atMost(PATIENCE).untilAsserted(() -> {
            JsonPath task = agentRunOf(before);
            assertThat(task.getString("agentRun.status"), equalTo("COMPLETED"));
            assertThat(task.getString("agentRun.pullRequestUrl"), equalTo("https://github.com/acme/shop/pull/41"));
        });

        String after = newTask();
        UUID secondRun = UUID.randomUUID();
        publish(status(after, secondRun, RunStatus.PENDING, RunStatus.RUNNING, 2, t0.plusSeconds(1)));
        awaitAgentRun(after, secondRun, "RUNNING");
        PullRequestOpened opened = new PullRequestOpened(UUID.randomUUID(), t0.plusSeconds(4), ws, secondRun,
                UUID.fromString(after), "https://github.com/acme/shop/pull/42", "handoff/cart-2", "Cart");
        KafkaProbe.publish(Topics.PULL_REQUEST_OPENED, opened);
        KafkaProbe.publish(Topics.PULL_REQUEST_OPENED, opened);
        await().atMost(PATIENCE).untilAsserted(() -> {
            JsonPath task = agentRunOf(after);
            assertThat(task.getString("agentRun.pullRequestUrl"), equalTo("https://github.com/acme/shop/pull/42"));
            assertThat(task.getString("agentRun.status"), equalTo("RUNNING"));
            assertThat(Instant.parse(task.getString("agentRun.updatedAt")), equalTo(t0.plusSeconds(4)));
        });
    }

    @Test
    void aNewerRunReplacesTheOlderOneAndTheOlderRunsLateEventsDoNotTakeOver() {
        String taskId = newTask();
        UUID older = UUID.randomUUID();
        UUID newer = UUID.randomUUID();

        publish(status(taskId, older, null, RunStatus.PENDING, 1, t0));
        publish(status(taskId, older, RunStatus.PENDING, RunStatus.RUNNING, 2, t0.plusSeconds(1)));
        awaitAgentRun(taskId, older, "RUNNING");

        // the newer run's first event seen is RUNNING (its PENDING is late): it still replaces the older run
        publish(status(taskId, newer, RunStatus.PENDING, RunStatus.RUNNING, 2, t0.plusSeconds(11)));
        awaitAgentRun(taskId, newer, "RUNNING");

        // the older run's final status arrives only now, then the newer run's late PENDING
        RunStatusChanged olderFailed = status(taskId, older, RunStatus.RUNNING, RunStatus.FAILED, 3, t0.plusSeconds(5));
        publish(olderFailed);
        RunStatusChanged newerPending = status(taskId, newer, null, RunStatus.PENDING, 1, t0.plusSeconds(10));
        publish(newerPending);
        awaitProcessed(olderFailed.eventId());
        awaitProcessed(newerPending.eventId());

        JsonPath task = agentRunOf(taskId);
        assertThat(task.getString("agentRun.runId"), equalTo(newer.toString()));
        assertThat(task.getString("agentRun.status"), equalTo("RUNNING"));
    }

    @Test
    void eventsNamingAnotherWorkspaceOrAnUnknownTaskAreIgnored() {
        String taskId = newTask();
        UUID runId = UUID.randomUUID();

        // a higher version from the wrong workspace: if it were applied, the RUNNING below could not replace it
        publish(status("someone-else", taskId, runId, RunStatus.RUNNING, RunStatus.COMPLETED, 7, t0.plusSeconds(7)));
        publish(status(taskId.replace(taskId.substring(0, 8), "00000000"), runId, null, RunStatus.PENDING, 1, t0));
        publish(status(taskId, runId, RunStatus.PENDING, RunStatus.RUNNING, 2, t0.plusSeconds(2)));

        awaitAgentRun(taskId, runId, "RUNNING");
    }

    @Test
    void anEventNamingARunOfAnotherTaskChangesNeitherTask() {
        String owner = newTask();
        String other = newTask();
        UUID runId = UUID.randomUUID();
        publish(status(owner, runId, null, RunStatus.PENDING, 1, t0));
        awaitAgentRun(owner, runId, "PENDING");

        // the same run id under another task of the workspace, with a higher version and a pull request
        RunStatusChanged stray = status(other, runId, RunStatus.PENDING, RunStatus.COMPLETED, 5, t0.plusSeconds(5));
        publish(stray);
        PullRequestOpened strayPr = new PullRequestOpened(UUID.randomUUID(), t0.plusSeconds(6), ws, runId,
                UUID.fromString(other), "https://github.com/acme/shop/pull/66", "handoff/stray", "Stray");
        KafkaProbe.publish(Topics.PULL_REQUEST_OPENED, strayPr);
        awaitProcessed(stray.eventId());
        awaitProcessed(strayPr.eventId());

        JsonPath ownerTask = agentRunOf(owner);
        assertThat(ownerTask.getString("agentRun.status"), equalTo("PENDING"));
        assertThat(ownerTask.get("agentRun.pullRequestUrl"), nullValue());
        assertThat(Instant.parse(ownerTask.getString("agentRun.updatedAt")), equalTo(t0));
        assertThat(agentRunOf(other).get("agentRun"), nullValue());
    }

    @Test
    void aNewRunsStatusAndPullRequestArrivingTogetherBothLand() throws Exception {
        int count = 12;
        String[] taskIds = new String[count];
        UUID[] runIds = new UUID[count];
        for (int i = 0; i < count; i++) {
            taskIds[i] = newTask();
            runIds[i] = UUID.randomUUID();
        }
        // both topics at once, from two threads: the two consumers meet on rows that do not exist yet
        Thread pullRequests = new Thread(() -> {
            for (int i = 0; i < count; i++) {
                KafkaProbe.publish(Topics.PULL_REQUEST_OPENED, new PullRequestOpened(UUID.randomUUID(),
                        t0.plusSeconds(3), ws, runIds[i], UUID.fromString(taskIds[i]),
                        "https://github.com/acme/shop/pull/" + (100 + i), "handoff/b-" + i, "B " + i));
            }
        });
        pullRequests.start();
        for (int i = 0; i < count; i++) {
            publish(status(taskIds[i], runIds[i], RunStatus.PENDING, RunStatus.COMPLETED, 3, t0.plusSeconds(2)));
        }
        pullRequests.join();

        for (int i = 0; i < count; i++) {
            int n = i;
            await().atMost(PATIENCE).untilAsserted(() -> {
                JsonPath task = agentRunOf(taskIds[n]);
                assertThat(task.getString("agentRun.runId"), equalTo(runIds[n].toString()));
                assertThat(task.getString("agentRun.status"), equalTo("COMPLETED"));
                assertThat(task.getString("agentRun.pullRequestUrl"), equalTo("https://github.com/acme/shop/pull/" + (100 + n)));
                assertThat(Instant.parse(task.getString("agentRun.updatedAt")), equalTo(t0.plusSeconds(3)));
            });
        }
    }

    @Test
    void brokenMessagesGoToTheDeadLetterTopicAndTheNextGoodEventIsStillApplied() {
        String taskId = newTask();
        UUID runId = UUID.randomUUID();

        KafkaProbe.publishRaw(Topics.RUN_STATUS_CHANGED, runId.toString(), "{\"eventId\": \"not json",
                "RunStatusChanged", UUID.randomUUID().toString());
        KafkaProbe.publishRaw(Topics.RUN_STATUS_CHANGED, runId.toString(),
                "{\"eventId\": \"" + UUID.randomUUID() + "\", \"runId\": \"" + runId + "\", \"taskId\": \"" + taskId
                        + "\", \"workspaceId\": \"" + ws + "\", \"occurredAt\": \"" + t0 + "\", \"version\": 1}",
                "RunStatusChanged", UUID.randomUUID().toString());
        publish(status(taskId, runId, null, RunStatus.PENDING, 1, t0.plusSeconds(1)));

        var dead = KafkaProbe.await(Topics.RUN_STATUS_CHANGED + Topics.DLQ_SUFFIX, KafkaProbe.ofRun(runId), 2, PATIENCE);
        assertThat(dead, hasSize(2));
        ConsumerRecord<String, String> unreadable = dead.get(0);
        assertThat(unreadable.value(), equalTo("{\"eventId\": \"not json"));
        assertThat(KafkaProbe.header(unreadable, "dead-letter-reason"), notNullValue());
        assertThat(KafkaProbe.header(dead.get(1), "dead-letter-reason"), containsString("no status"));

        awaitAgentRun(taskId, runId, "PENDING");
    }
}
