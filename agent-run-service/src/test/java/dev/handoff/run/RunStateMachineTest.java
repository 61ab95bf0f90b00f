package dev.handoff.run;

import static dev.handoff.events.RunStatus.CANCELLED;
import static dev.handoff.events.RunStatus.COMPLETED;
import static dev.handoff.events.RunStatus.FAILED;
import static dev.handoff.events.RunStatus.PENDING;
import static dev.handoff.events.RunStatus.RUNNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.ErrorInfo;
import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.run.service.RunService;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every (from, to) pair of statuses, applied as a provider update through the service. */
@QuarkusTest
class RunStateMachineTest {

    @Inject
    RunService service;

    @ParameterizedTest(name = "{0} -> {1} gives {2}")
    // the one table of legal moves, shared with the plain unit test: the statuses published are the moves made
    @MethodSource("dev.handoff.run.RunTest#everyPair")
    void aProviderUpdateMovesTheRunOnlyAlongTheLegalMoves(RunStatus from, RunStatus reported, RunStatus expected,
            List<RunStatus> published) throws Throwable {
        String ws = RunApi.workspace("sm");
        UUID taskId = RunApi.task();
        UUID runId = RunApi.launched(ws, taskId);
        if (from != PENDING) {
            apply(update(ws, runId, from));
        }
        assertEquals(from.name(), RunApi.get(ws, runId).extract().path("status"));
        List<RunStatusChanged> before = Outboxes.statusChanges(runId);
        long versionBefore = before.get(before.size() - 1).version();

        ProviderRunUpdated update = update(ws, runId, reported);
        boolean publishedSomething = apply(update);

        assertEquals(expected.name(), RunApi.get(ws, runId).extract().path("status"));
        List<RunStatusChanged> after = Outboxes.statusChanges(runId);
        List<RunStatusChanged> added = after.subList(before.size(), after.size());
        assertEquals(published, added.stream().map(RunStatusChanged::status).toList());
        assertEquals(!published.isEmpty(), publishedSomething);
        RunStatus previous = from;
        long version = versionBefore;
        for (RunStatusChanged event : added) {
            assertEquals(previous, event.previousStatus());
            assertEquals(++version, event.version());
            assertEquals(taskId, event.taskId());
            assertEquals(ws, event.workspaceId());
            previous = event.status();
        }
        List<String> history = RunApi.get(ws, runId).extract().path("history.status");
        assertEquals(expected.name(), history.get(history.size() - 1));
        assertEquals(after.size(), history.size(), "one history entry per published status");
        if (expected == FAILED && from != FAILED) {
            assertEquals("agent-failed-in-test", RunApi.get(ws, runId).extract().path("error.code"));
        }
        // a final run frees its task, an active one keeps it
        if (expected.isFinal()) {
            assertNull(Outboxes.activeRunOfTask(taskId));
        } else {
            assertEquals(runId, Outboxes.activeRunOfTask(taskId));
        }

        // the same event again changes nothing
        assertEquals(false, apply(update));
        assertEquals(after.size(), Outboxes.statusChanges(runId).size());
        assertTrue(after.stream().map(RunStatusChanged::version).distinct().count() == after.size());
    }

    private boolean apply(ProviderRunUpdated update) throws Throwable {
        return VertxContextSupport.subscribeAndAwait(() -> service.applyProviderUpdate(update));
    }

    private static ProviderRunUpdated update(String ws, UUID runId, RunStatus status) {
        return new ProviderRunUpdated(UUID.randomUUID(), Instant.now(), ws, runId, "local", "local-" + runId, null,
                status.name().toLowerCase(), status, null, null, null,
                status == FAILED ? new ErrorInfo("agent-failed-in-test", "the agent exited with 1") : null);
    }
}
