package dev.handoff.tasks.repository;

import dev.handoff.tasks.Task;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.UUID;

/** Tasks, always looked up within one workspace. */
@ApplicationScoped
public class TaskRepository implements PanacheRepositoryBase<Task, UUID> {

    public Uni<Task> findInWorkspace(String workspaceId, UUID id) {
        return find("id = ?1 and workspaceId = ?2", id, workspaceId).firstResult();
    }

    /** The task, locked for the rest of the transaction so that concurrent replacements happen one after another. */
    public Uni<Task> findForUpdate(String workspaceId, UUID id) {
        return find("id = ?1 and workspaceId = ?2", id, workspaceId).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResult();
    }

    /** The task, share-locked so that it is not deleted while a run event is applied to it. */
    /**
     * Up to {@code max} of the brief's tasks in creation order (for an import: file order) after the given position
     * (null: from the start). Keyset paging: the index {@code tasks_by_brief} serves it.
     */
    public Uni<List<Task>> pageOfBrief(String workspaceId, UUID briefId, ListPosition after, int max) {
        if (after == null) {
            return find("workspaceId = ?1 and briefId = ?2 order by createdAt, seq", workspaceId, briefId)
                    .range(0, max - 1).list();
        }
        return find("workspaceId = ?1 and briefId = ?2 and (createdAt > ?3 or (createdAt = ?3 and seq > ?4)) "
                + "order by createdAt, seq", workspaceId, briefId, after.createdAt(), after.seq())
                .range(0, max - 1).list();
    }

    public Uni<Boolean> deleteInWorkspace(String workspaceId, UUID id) {
        return delete("id = ?1 and workspaceId = ?2", id, workspaceId).map(count -> count > 0);
    }
}
