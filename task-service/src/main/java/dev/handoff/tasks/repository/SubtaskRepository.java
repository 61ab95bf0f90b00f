package dev.handoff.tasks.repository;

import dev.handoff.tasks.Subtask;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class SubtaskRepository implements PanacheRepositoryBase<Subtask, UUID> {

    /** The subtasks of these tasks, each task's in order. */
    public Uni<List<Subtask>> listOfTasks(String workspaceId, Collection<UUID> taskIds) {
        if (taskIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("workspaceId = ?1 and taskId in ?2 order by taskId, position", workspaceId, taskIds);
    }
}
