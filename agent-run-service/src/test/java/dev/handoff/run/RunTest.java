package dev.handoff.run;

import static dev.handoff.events.RunStatus.CANCELLED;
import static dev.handoff.events.RunStatus.COMPLETED;
import static dev.handoff.events.RunStatus.FAILED;
import static dev.handoff.events.RunStatus.PENDING;
import static dev.handoff.events.RunStatus.RUNNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.AgentContext;
import dev.handoff.events.ErrorInfo;
import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The run aggregate's state machine in memory: plain JUnit, no Quarkus, no database. {@link RunStateMachineTest}
 * checks the same moves end to end through the service, the outbox and the API.
 */
class RunTest {

    private static final Instant T0 = Instant.parse("2026-01-15T10:00:00Z");

    /** from, reported, resulting status, the moves made (in order). */
    static Stream<Arguments> everyPair() {
        return Stream.of(
                Arguments.of(PENDING, PENDING, PENDING, List.of()),
                Arguments.of(PENDING, RUNNING, RUNNING, List.of(RUNNING)),
                Arguments.of(PENDING, COMPLETED, COMPLETED, List.of(RUNNING, COMPLETED)),
                Arguments.of(PENDING, FAILED, FAILED, List.of(FAILED)),
                Arguments.of(PENDING, CANCELLED, CANCELLED, List.of(CANCELLED)),
                Arguments.of(RUNNING, PENDING, RUNNING, List.of()),
                Arguments.of(RUNNING, RUNNING, RUNNING, List.of()),
                Arguments.of(RUNNING, COMPLETED, COMPLETED, List.of(COMPLETED)),
                Arguments.of(RUNNING, FAILED, FAILED, List.of(FAILED)),
                Arguments.of(RUNNING, CANCELLED, CANCELLED, List.of(CANCELLED)),
                Arguments.of(COMPLETED, PENDING, COMPLETED, List.of()),
                Arguments.of(COMPLETED, RUNNING, COMPLETED, List.of()),
                Arguments.of(COMPLETED, COMPLETED, COMPLETED, List.of()),
                Arguments.of(COMPLETED, FAILED, COMPLETED, List.of()),
                Arguments.of(COMPLETED, CANCELLED, COMPLETED, List.of()),
                Arguments.of(FAILED, PENDING, FAILED, List.of()),
                Arguments.of(FAILED, RUNNING, FAILED, List.of()),
                Arguments.of(FAILED, COMPLETED, FAILED, List.of()),
                Arguments.of(FAILED, FAILED, FAILED, List.of()),
                Arguments.of(FAILED, CANCELLED, FAILED, List.of()),
                Arguments.of(CANCELLED, PENDING, CANCELLED, List.of()),
                Arguments.of(CANCELLED, RUNNING, CANCELLED, List.of()),
                Arguments.of(CANCELLED, COMPLETED, CANCELLED, List.of()),
                Arguments.of(CANCELLED, FAILED, CANCELLED, List.of()),
                Arguments.of(CANCELLED, CANCELLED, CANCELLED, List.of()));
    }

    @ParameterizedTest(name = "{0} -> {1} gives {2}")
    @MethodSource("everyPair")
    void aProviderUpdateMovesTheRunOnlyAlongTheLegalMoves(RunStatus from, RunStatus reported, RunStatus expected,
            List<RunStatus> moved) {
        Run run = runAt(from);
        long versionBefore = run.statusVersion();
        int historyBefore = run.history().size();

        Run.Outcome outcome = run.apply(update(run, reported), T0.plusSeconds(10));

        assertEquals(expected, run.status());
        assertEquals(moved, outcome.moves().stream().map(Run.Transition::status).toList());
        RunStatus previous = from;
        long version = versionBefore;
        for (Run.Transition move : outcome.moves()) {
            assertEquals(previous, move.previousStatus());
            assertEquals(++version, move.version(), "each move takes the next status version");
            previous = move.status();
        }
        assertEquals(version, run.statusVersion());
        List<Run.HistoryEntry> history = run.history();
        assertEquals(historyBefore + moved.size(), history.size(), "one history entry per move");
        assertEquals(expected, history.get(history.size() - 1).status());
        assertEquals(expected.isFinal() && !moved.isEmpty(), outcome.finished());
        if (expected == FAILED && from != FAILED) {
            assertEquals("agent-failed-in-test", run.error().code());
        }

        // the same update again changes nothing
        assertTrue(run.apply(update(run, reported), T0.plusSeconds(20)).moves().isEmpty());
        assertEquals(version, run.statusVersion());
    }

    @Test
    void aNewRunIsPendingAtVersionOneWithOneHistoryEntry() {
        Run run = newRun();
        assertEquals(PENDING, run.status());
        assertEquals(1, run.statusVersion());
        assertEquals(List.of(PENDING), run.history().stream().map(Run.HistoryEntry::status).toList());
        assertNull(run.startedAt());
        assertNull(run.finishedAt());
    }

    @Test
    void startedAndFinishedAreStampedByTheMovesThatStartAndEndTheRun() {
        Run run = newRun();
        run.apply(update(run, RUNNING), T0.plusSeconds(5));
        assertEquals(T0.plusSeconds(5), run.startedAt());
        assertNull(run.finishedAt());
        run.apply(update(run, COMPLETED), T0.plusSeconds(9));
        assertEquals(T0.plusSeconds(5), run.startedAt());
        assertEquals(T0.plusSeconds(9), run.finishedAt());
    }

    @Test
    void aFailureWithoutAReasonIsRecordedAsTheUnknownFailure() {
        Run run = newRun();
        ProviderRunUpdated failed = new ProviderRunUpdated(UUID.randomUUID(), T0, run.workspaceId(), run.id(), "local",
                null, null, "failed", FAILED, null, null, null, null);
        run.apply(failed, T0.plusSeconds(1));
        assertEquals(Run.UNKNOWN_FAILURE, run.error());
    }

    @Test
    void thePullRequestIsTakenOnceAndAnnouncedOnce() {
        Run run = newRun();
        ProviderRunUpdated withPr = new ProviderRunUpdated(UUID.randomUUID(), T0, run.workspaceId(), run.id(), "cursor",
                "bc_1", "https://cursor.com/agents?id=bc_1", "RUNNING", RUNNING, "https://github.com/acme/greeter/pull/7",
                null, "half way", null);
        assertTrue(run.apply(withPr, T0.plusSeconds(1)).pullRequestOpened());
        assertEquals("https://github.com/acme/greeter/pull/7", run.pullRequestUrl());
        assertEquals(run.targetBranch(), run.pullRequestBranch(), "no branch reported: the run's target branch");
        assertEquals("bc_1", run.providerRunId());
        assertEquals("half way", run.summary());
        ProviderRunUpdated another = new ProviderRunUpdated(UUID.randomUUID(), T0, run.workspaceId(), run.id(), "cursor",
                "bc_1", null, "FINISHED", COMPLETED, "https://github.com/acme/greeter/pull/8", "other", null, null);
        assertFalse(run.apply(another, T0.plusSeconds(2)).pullRequestOpened());
        assertEquals("https://github.com/acme/greeter/pull/7", run.pullRequestUrl());
    }

    @Test
    void onlyAnActiveRunCanBeCancelled() {
        Run run = newRun();
        Run.Transition cancelled = run.cancel("cancelled by the user", T0.plusSeconds(3));
        assertEquals(PENDING, cancelled.previousStatus());
        assertEquals(CANCELLED, cancelled.status());
        assertEquals(2, cancelled.version());
        assertNotNull(run.finishedAt());
        assertThrows(IllegalStateException.class, () -> run.cancel("again", T0.plusSeconds(4)));
        assertEquals(2, run.statusVersion());
    }

    private static Run runAt(RunStatus status) {
        Run run = newRun();
        switch (status) {
            case PENDING -> {
            }
            case CANCELLED -> run.cancel("cancelled in test", T0.plusSeconds(1));
            default -> run.apply(update(run, status), T0.plusSeconds(1));
        }
        assertEquals(status, run.status());
        return run;
    }

    private static Run newRun() {
        UUID taskId = UUID.randomUUID();
        UUID briefId = UUID.randomUUID();
        AgentContext context = new AgentContext(
                new AgentContext.Task(taskId, briefId, "Add a shout option", "Make the greeting loud.", List.of("It shouts"),
                        List.of(), null, T0, T0),
                new AgentContext.Brief(briefId, "Greeter", "# Greeter", T0, T0));
        return Run.launch(UUID.randomUUID(), "ws-unit", context,
                new Run.Settings("https://github.com/acme/greeter", "main", null, null, "local"),
                "handoff/add-a-shout-option-12345678", null, null, T0);
    }

    private static ProviderRunUpdated update(Run run, RunStatus status) {
        return new ProviderRunUpdated(UUID.randomUUID(), T0, run.workspaceId(), run.id(), "local", "local-" + run.id(), null,
                status.name().toLowerCase(), status, null, null, null,
                status == FAILED ? new ErrorInfo("agent-failed-in-test", "the agent exited with 1") : null);
    }
}
