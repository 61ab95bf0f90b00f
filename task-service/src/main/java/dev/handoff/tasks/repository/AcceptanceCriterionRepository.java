package dev.handoff.tasks.repository;

import dev.handoff.tasks.AcceptanceCriterion;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class AcceptanceCriterionRepository implements PanacheRepositoryBase<AcceptanceCriterion, UUID> {

    /** The criteria of these tasks, each task's in order. */
    public Uni<List<AcceptanceCriterion>> listOfTasks(String workspaceId, Collection<UUID> taskIds) {
        if (taskIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("workspaceId = ?1 and taskId in ?2 order by taskId, position", workspaceId, taskIds);
    }

    public Uni<Long> deleteOfTask(String workspaceId, UUID taskId) {
        return delete("workspaceId = ?1 and taskId = ?2", workspaceId, taskId);
    }
}
