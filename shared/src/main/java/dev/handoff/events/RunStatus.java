package dev.handoff.events;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A run's status and the legal moves between statuses, as the contract lists them.
 * PENDING -> COMPLETED is not a move of its own: the run records RUNNING first.
 */
public enum RunStatus {
    PENDING, RUNNING, COMPLETED, FAILED, CANCELLED;

    private static final Map<RunStatus, Set<RunStatus>> MOVES = Map.of(
            PENDING, EnumSet.of(RUNNING, FAILED, CANCELLED),
            RUNNING, EnumSet.of(COMPLETED, FAILED, CANCELLED),
            COMPLETED, EnumSet.noneOf(RunStatus.class),
            FAILED, EnumSet.noneOf(RunStatus.class),
            CANCELLED, EnumSet.noneOf(RunStatus.class));

    public boolean canMoveTo(RunStatus next) {
        return MOVES.get(this).contains(next);
    }

    public boolean isFinal() {
        return MOVES.get(this).isEmpty();
    }

    public boolean isActive() {
        return !isFinal();
    }
}
