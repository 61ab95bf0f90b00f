package dev.handoff.run.repository;

import dev.handoff.events.RunStatus;
import dev.handoff.run.Run;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Runs, always scoped by workspace: another workspace's run does not exist for the caller. */
@ApplicationScoped
public class RunRepository implements PanacheRepositoryBase<Run, UUID> {

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

    /**
     * Up to {@code max} of the task's runs, newest first, after {@code after} (null: from the newest), without their
     * agent context. Keyset paging on (created_at, id): the index {@code runs_task_created} serves it.
     */
    public Uni<List<RunListRow>> pageOfTask(String workspaceId, UUID taskId, RunPosition after, int max) {
        return page("r.workspaceId = :workspaceId and r.taskId = :taskId", Map.of("workspaceId", workspaceId,
                "taskId", taskId), after, max);
    }

    /** The same for the workspace's runs in {@code status}, or all of them when it is null. */
    public Uni<List<RunListRow>> pageOfWorkspace(String workspaceId, RunStatus status, RunPosition after, int max) {
        return status == null
                ? page("r.workspaceId = :workspaceId", Map.of("workspaceId", workspaceId), after, max)
                : page("r.workspaceId = :workspaceId and r.status = :status",
                        Map.of("workspaceId", workspaceId, "status", status), after, max);
    }

    private Uni<List<RunListRow>> page(String where, Map<String, Object> parameters, RunPosition after, int max) {
        String query = "select new dev.handoff.run.repository.RunListRow(r.id, r.taskId, r.status, r.provider, "
                + "r.repositoryUrl, r.branch, r.targetBranch, r.instructions, r.providerRunId, r.providerUrl, "
                + "r.pullRequestUrl, r.pullRequestBranch, r.summary, r.errorCode, r.errorMessage, r.createdAt, "
                + "r.startedAt, r.finishedAt, r.historyJson, r.followUpOf, r.usageDurationMs, r.usageInputTokens, "
                + "r.usageOutputTokens, r.usageCostUsd) from Run r where " + where
                + (after == null ? "" : " and (r.createdAt < :createdAt or (r.createdAt = :createdAt and r.id < :id))")
                + " order by r.createdAt desc, r.id desc";
        return getSession().chain(session -> {
            var select = session.createSelectionQuery(query, RunListRow.class).setMaxResults(max);
            parameters.forEach(select::setParameter);
            if (after != null) {
                select.setParameter("createdAt", after.createdAt()).setParameter("id", after.id());
            }
            return select.getResultList();
        });
    }

    /** The task's PENDING or RUNNING run, if any (the partial unique index allows at most one). */
    public Uni<Run> activeOfTask(UUID taskId) {
        return find("taskId = ?1 and status in ?2", taskId, List.of(RunStatus.PENDING, RunStatus.RUNNING)).firstResult();
    }

    /** The task's newest run (the one a follow-up may continue). */
    public Uni<Run> latestOfTask(UUID taskId) {
        return find("taskId = ?1 order by createdAt desc, id desc", taskId).firstResult();
    }

    /** The newest run of the task on {@code branch} that reported a pull request: the one a chain of follow-ups shares. */
    public Uni<Run> withPullRequestOn(UUID taskId, String branch) {
        return find("taskId = ?1 and (targetBranch = ?2 or pullRequestBranch = ?2) and pullRequestUrl is not null "
                + "order by createdAt desc, id desc",
                taskId, branch).firstResult();
    }

    public Uni<Run> findByIdempotencyKey(String workspaceId, String key) {
        return find("workspaceId = ?1 and idempotencyKey = ?2", workspaceId, key).firstResult();
    }

    /**
     * Serialises launches within one workspace until the transaction ends, so that the active-run cap is exact (a
     * transaction-scoped advisory lock: released on commit or rollback), and answers the workspace's active runs
     * counted once the lock is held: one round trip (the function of V5__launch_guard.sql).
     */
    public Uni<Long> lockWorkspaceLaunchesAndCountActive(String workspaceId) {
        return getSession()
                .chain(session -> session.createNativeQuery(
                        "select lock_workspace_launches_and_count_active(:workspace)", Long.class)
                        .setParameter("workspace", workspaceId)
                        .getSingleResult());
    }
}
