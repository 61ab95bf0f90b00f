package dev.handoff.run.repository;

import dev.handoff.events.RunStatus;
import dev.handoff.run.Run;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.UUID;

/** Runs, always scoped by workspace: another workspace's run does not exist for the caller. */
@ApplicationScoped
public class RunRepository implements PanacheRepositoryBase<Run, UUID> {

    private static final Sort NEWEST_FIRST = Sort.descending("createdAt").and("id", Sort.Direction.Descending);

    public Uni<Run> findInWorkspace(UUID id, String workspaceId) {
        return find("id = ?1 and workspaceId = ?2", id, workspaceId).firstResult();
    }

    /** The run, row-locked until the transaction ends: status changes of one run are applied one at a time. */
    public Uni<Run> lockInWorkspace(UUID id, String workspaceId) {
        return find("id = ?1 and workspaceId = ?2", id, workspaceId).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResult();
    }

    public Uni<Run> lock(UUID id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    public Uni<List<Run>> ofTask(UUID taskId, String workspaceId) {
        return list("taskId = ?1 and workspaceId = ?2", NEWEST_FIRST, taskId, workspaceId);
    }

    public Uni<List<Run>> inStatus(String workspaceId, RunStatus status) {
        return list("workspaceId = ?1 and status = ?2", NEWEST_FIRST, workspaceId, status);
    }

    public Uni<List<Run>> ofWorkspace(String workspaceId) {
        return list("workspaceId = ?1", NEWEST_FIRST, workspaceId);
    }

    /** The task's PENDING or RUNNING run, if any (the partial unique index allows at most one). */
    public Uni<Run> activeOfTask(UUID taskId) {
        return find("taskId = ?1 and status in ?2", taskId, List.of(RunStatus.PENDING, RunStatus.RUNNING)).firstResult();
    }

    public Uni<Long> countActive(String workspaceId) {
        return count("workspaceId = ?1 and status in ?2", workspaceId, List.of(RunStatus.PENDING, RunStatus.RUNNING));
    }

    public Uni<Run> findByIdempotencyKey(String workspaceId, String key) {
        return find("workspaceId = ?1 and idempotencyKey = ?2", workspaceId, key).firstResult();
    }

    /**
     * Serialises launches within one workspace until the transaction ends, so that the active-run cap is exact
     * (a transaction-scoped advisory lock: released on commit or rollback).
     */
    public Uni<Void> lockWorkspaceLaunches(String workspaceId) {
        return getSession()
                .chain(session -> session.createNativeQuery(
                        "select 1 from pg_advisory_xact_lock(hashtext(:workspace))", Integer.class)
                        .setParameter("workspace", "runs:" + workspaceId)
                        .getSingleResult())
                .replaceWithVoid();
    }
}
