package dev.handoff.tasks.repository;

import dev.handoff.tasks.AgentRun;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** The per-run projection rows. */
@ApplicationScoped
public class AgentRunRepository implements PanacheRepositoryBase<AgentRun, UUID> {

    /**
     * The run's row, created if missing, locked for the rest of the transaction: the status and the pull request
     * consumers may both see a new run at the same moment, and must neither fail on the second insert nor
     * overwrite each other's change.
     */
    public Uni<AgentRun> findOrCreateLocked(UUID runId, String workspaceId, UUID taskId, Instant occurredAt) {
        return getSession()
                .chain(session -> session.createNativeQuery("""
                        insert into agent_runs (run_id, workspace_id, task_id, updated_at)
                        values (:runId, :workspaceId, :taskId, :updatedAt)
                        on conflict (run_id) do nothing""")
                        .setParameter("runId", runId)
                        .setParameter("workspaceId", workspaceId)
                        .setParameter("taskId", taskId)
                        .setParameter("updatedAt", occurredAt)
                        .executeUpdate())
                .chain(() -> findById(runId, LockModeType.PESSIMISTIC_WRITE));
    }

    public Uni<List<AgentRun>> listOfTasks(String workspaceId, Collection<UUID> taskIds) {
        if (taskIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("workspaceId = ?1 and taskId in ?2", workspaceId, taskIds);
    }
}
