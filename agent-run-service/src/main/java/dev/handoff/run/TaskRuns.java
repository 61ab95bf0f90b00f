package dev.handoff.run;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.util.Optional;
import java.util.UUID;

/**
 * The per-task aggregate that enforces "only one active run per task": one row per task naming its active run.
 * Every launch loads it, checks it and claims it in the same transaction as the new run; two concurrent launches
 * cannot both win, because the loser fails on {@link #version} (or, for a task's first run, on inserting this row).
 * A run reaching a final status releases it in the transaction that records that status.
 */
@Entity
@Table(name = "task_runs")
public class TaskRuns {

    @Id
    @Column(name = "task_id")
    private UUID taskId;
    @Column(name = "workspace_id", nullable = false)
    private String workspaceId;
    @Column(name = "active_run_id")
    private UUID activeRunId;
    @Version
    private long version;

    protected TaskRuns() {
    }

    public static TaskRuns of(UUID taskId, String workspaceId) {
        TaskRuns taskRuns = new TaskRuns();
        taskRuns.taskId = taskId;
        taskRuns.workspaceId = workspaceId;
        return taskRuns;
    }

    public Optional<UUID> activeRun() {
        return Optional.ofNullable(activeRunId);
    }

    /** Makes {@code runId} the task's active run; the caller has checked that none is active. */
    public void claim(UUID runId) {
        if (activeRunId != null) {
            throw new IllegalStateException("task " + taskId + " already has the active run " + activeRunId);
        }
        activeRunId = runId;
    }

    /** The run finished: the task is free for the next launch. A stale release (another run is active) does nothing. */
    public boolean release(UUID runId) {
        if (runId.equals(activeRunId)) {
            activeRunId = null;
            return true;
        }
        return false;
    }

    public UUID taskId() {
        return taskId;
    }

    public String workspaceId() {
        return workspaceId;
    }

    public long version() {
        return version;
    }
}
