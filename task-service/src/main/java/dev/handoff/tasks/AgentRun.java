package dev.handoff.tasks;

import dev.handoff.events.RunStatus;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;

/**
 * What the task service knows about one agent run of a task, projected from the run service's events
 * ({@code handoff.run-status-changed}, {@code handoff.pull-request-opened}) by
 * {@link dev.handoff.tasks.service.AgentRunProjection}. Events may come twice and in any order; the rules that make
 * that harmless are that projection's statements and {@link #LATEST_FIRST}.
 */
@Entity
@Table(name = "agent_runs")
public class AgentRun extends PanacheEntityBase {

    /**
     * Which of a task's runs is "the latest": the one created last. A run's creation time is the occurredAt of its
     * first status event (PENDING); until that event is seen, the earliest status event seen so far stands in for
     * it. This is sound because the run service allows a new run of a task only after the previous one reached a
     * final status: every status event of an older run happened before the newer run's PENDING, so an older run's
     * late or replayed events can never make it look newer, whatever order they arrive in. Pull request events do
     * not take part (a run known only from one is not shown), and the run id breaks exact ties deterministically.
     */
    public static final Comparator<AgentRun> LATEST_FIRST = Comparator
            .comparing((AgentRun run) -> run.firstEventAt, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(run -> run.runId)
            .reversed();

    @Id
    @Column(name = "run_id")
    public UUID runId;

    @Column(name = "workspace_id", nullable = false, updatable = false)
    public String workspaceId;

    @Column(name = "task_id", nullable = false, updatable = false)
    public UUID taskId;

    /** Null while only a pull request event of the run has been seen. */
    @Enumerated(EnumType.STRING)
    public RunStatus status;

    /** The version of the status event {@link #status} comes from; a lower one never overwrites it. */
    public Long version;

    @Column(name = "pull_request_url")
    public String pullRequestUrl;

    @Column(name = "first_event_at")
    public Instant firstEventAt;

    /** The occurredAt of the newest event that changed this run. */
    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** The run a task shows: the latest of its runs whose status is known. */
    public static Optional<AgentRun> latestOf(Collection<AgentRun> runsOfOneTask) {
        return runsOfOneTask.stream().filter(run -> run.status != null).min(LATEST_FIRST);
    }
}
