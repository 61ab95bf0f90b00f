package dev.handoff.events;

import static dev.handoff.events.RunStatus.CANCELLED;
import static dev.handoff.events.RunStatus.COMPLETED;
import static dev.handoff.events.RunStatus.FAILED;
import static dev.handoff.events.RunStatus.PENDING;
import static dev.handoff.events.RunStatus.RUNNING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The run state machine's table, as the contract lists the moves: plain JUnit, no Quarkus. */
class RunStatusTest {

    private static final Map<RunStatus, Set<RunStatus>> LEGAL = Map.of(
            PENDING, EnumSet.of(RUNNING, FAILED, CANCELLED),
            RUNNING, EnumSet.of(COMPLETED, FAILED, CANCELLED),
            COMPLETED, EnumSet.noneOf(RunStatus.class),
            FAILED, EnumSet.noneOf(RunStatus.class),
            CANCELLED, EnumSet.noneOf(RunStatus.class));

    @Test
    void everyPairOfStatusesIsLegalExactlyWhenTheContractListsIt() {
        for (RunStatus from : RunStatus.values()) {
            for (RunStatus to : RunStatus.values()) {
                assertEquals(LEGAL.get(from).contains(to), from.canMoveTo(to), from + " -> " + to);
            }
        }
    }

    @Test
    void pendingToCompletedIsNotAMoveOfItsOwnAndNoStatusMovesToItself() {
        assertEquals(false, PENDING.canMoveTo(COMPLETED));
        for (RunStatus status : RunStatus.values()) {
            assertEquals(false, status.canMoveTo(status), status.name());
        }
    }

    @Test
    void completedFailedAndCancelledAreFinalTheOthersActive() {
        assertEquals(EnumSet.of(COMPLETED, FAILED, CANCELLED), EnumSet.copyOf(
                java.util.Arrays.stream(RunStatus.values()).filter(RunStatus::isFinal).toList()));
        assertEquals(EnumSet.of(PENDING, RUNNING), EnumSet.copyOf(
                java.util.Arrays.stream(RunStatus.values()).filter(RunStatus::isActive).toList()));
    }
}
