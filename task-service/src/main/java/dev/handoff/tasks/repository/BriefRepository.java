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

    /** The brief, locked for the rest of the transaction: a replacement or deletion checks its revision first. */
    public Uni<Brief> findForUpdate(String workspaceId, UUID id) {
        return find("id = ?1 and workspaceId = ?2", id, workspaceId).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResult();
    }

    /**
     * Up to {@code max} briefs newest first (by creation, then by sequence), after the given position (null: from
     * the start), without their content. Keyset paging: the index {@code briefs_by_workspace} serves it.
     */
    public Uni<List<BriefSummary>> summariesInWorkspace(String workspaceId, ListPosition after, int max) {
        String query = "select new dev.handoff.tasks.repository.BriefSummary("
                + "b.id, b.title, length(b.content), b.createdAt, b.updatedAt, b.seq) from Brief b "
                + "where b.workspaceId = :workspaceId"
                + (after == null ? "" : " and (b.createdAt < :createdAt or (b.createdAt = :createdAt and b.seq < :seq))")
                + " order by b.createdAt desc, b.seq desc";
        return getSession().chain(session -> {
            var select = session.createSelectionQuery(query, BriefSummary.class)
                    .setParameter("workspaceId", workspaceId)
                    .setMaxResults(max);
            if (after != null) {
                select.setParameter("createdAt", after.createdAt()).setParameter("seq", after.seq());
            }
            return select.getResultList();
        });
    }

    /** Deletes the brief; the database deletes its tasks (and their criteria, subtasks and runs) with it. */
    public Uni<Boolean> deleteInWorkspace(String workspaceId, UUID id) {
        return delete("id = ?1 and workspaceId = ?2", id, workspaceId).map(count -> count > 0);
    }
}
