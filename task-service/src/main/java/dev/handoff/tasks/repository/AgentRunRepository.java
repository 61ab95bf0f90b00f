package dev.handoff.tasks.repository;

import dev.handoff.tasks.AgentRun;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** The per-run projection rows. */
@ApplicationScoped
public class AgentRunRepository implements PanacheRepositoryBase<AgentRun, UUID> {

    public Uni<List<AgentRun>> listOfTasks(String workspaceId, Collection<UUID> taskIds) {
        if (taskIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("workspaceId = ?1 and taskId in ?2", workspaceId, taskIds);
    }
}
