package dev.handoff.tasks.repository;

import dev.handoff.tasks.Brief;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.UUID;

/** Briefs, always looked up within one workspace. */
@ApplicationScoped
public class BriefRepository implements PanacheRepositoryBase<Brief, UUID> {

    public Uni<Brief> findInWorkspace(String workspaceId, UUID id) {
        return find("id = ?1 and workspaceId = ?2", id, workspaceId).firstResult();
    }

    /** The brief, share-locked so that it cannot be deleted while tasks are added to it. */
    public Uni<Brief> findForNewTasks(String workspaceId, UUID id) {
        return find("id = ?1 and workspaceId = ?2", id, workspaceId).withLock(LockModeType.PESSIMISTIC_READ)
                .firstResult();
    }

    /** Newest first. */
    public Uni<List<Brief>> listInWorkspace(String workspaceId) {
        return list("workspaceId = ?1 order by createdAt desc, seq desc", workspaceId);
    }

    /** Deletes the brief; the database deletes its tasks (and their criteria, subtasks and runs) with it. */
    public Uni<Boolean> deleteInWorkspace(String workspaceId, UUID id) {
        return delete("id = ?1 and workspaceId = ?2", id, workspaceId).map(count -> count > 0);
    }
}
