package dev.handoff.tasks.service;

import dev.handoff.events.HandoffEvent;
import dev.handoff.events.PullRequestOpened;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.idempotency.ProcessedEvents;
import dev.handoff.tasks.AgentRun;
import dev.handoff.tasks.repository.AgentRunRepository;
import dev.handoff.tasks.repository.TaskRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Keeps each task's agent run current from the run service's events. Safe against redelivery (event ids are
 * remembered), duplicates and reordering (the rules live in {@link AgentRun}); events about tasks this service does
 * not have in the event's workspace are ignored. Callers run it inside a transaction.
 */
@ApplicationScoped
public class AgentRunProjection {

    private final TaskRepository tasks;
    private final AgentRunRepository runs;

    public AgentRunProjection(TaskRepository tasks, AgentRunRepository runs) {
        this.tasks = tasks;
        this.runs = runs;
    }

    public Uni<Void> apply(RunStatusChanged event) {
        requireComplete(event, event == null ? null : event.taskId());
        if (event.status() == null) {
            throw new IllegalArgumentException("RunStatusChanged " + event.eventId() + " has no status");
        }
        return apply(event, event.taskId(), run -> run.applyStatus(event.status(), event.version(), event.occurredAt()));
    }

    public Uni<Void> apply(PullRequestOpened event) {
        requireComplete(event, event == null ? null : event.taskId());
        if (event.url() == null || event.url().isBlank()) {
            throw new IllegalArgumentException("PullRequestOpened " + event.eventId() + " has no url");
        }
        return apply(event, event.taskId(), run -> run.applyPullRequest(event.url(), event.occurredAt()));
    }

    private Uni<Void> apply(HandoffEvent event, UUID taskId, Predicate<AgentRun> change) {
        String workspaceId = event.workspaceId();
        return tasks.lockForRunEvent(workspaceId, taskId).chain(present -> {
            if (!present) {
                Log.debugf("ignoring %s %s: no task %s in workspace %s", event.eventType(), event.eventId(), taskId,
                        workspaceId);
                return Uni.createFrom().voidItem();
            }
            return Panache.getSession().chain(session -> ProcessedEvents.claim(session, event.eventId())).chain(first -> {
                if (!first) {
                    Log.debugf("ignoring %s %s: already applied", event.eventType(), event.eventId());
                    return Uni.createFrom().voidItem();
                }
                return runs.findOrCreateLocked(event.runId(), workspaceId, taskId, event.occurredAt())
                        .chain(run -> {
                            if (!run.belongsTo(workspaceId, taskId)) {
                                Log.warnf("ignoring %s %s: run %s belongs to another task", event.eventType(),
                                        event.eventId(), event.runId());
                            } else if (change.test(run)) {
                                Log.debugf("run %s of task %s: status %s, pull request %s", run.runId, taskId,
                                        run.status, run.pullRequestUrl != null);
                                return runs.flush();
                            }
                            return Uni.createFrom().voidItem();
                        });
            });
        });
    }

    /** A message without the fields every event has cannot be applied: it fails, so it goes to the DLQ. */
    private static void requireComplete(HandoffEvent event, UUID taskId) {
        if (event == null) {
            throw new IllegalArgumentException("unreadable event (not the expected JSON)");
        }
        if (event.eventId() == null || event.occurredAt() == null || event.workspaceId() == null
                || event.runId() == null || taskId == null) {
            throw new IllegalArgumentException(event.eventType() + " lacks eventId, occurredAt, workspaceId, runId "
                    + "or taskId");
        }
    }
}
