package dev.handoff.gateway.repository;

import dev.handoff.events.ErrorInfo;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Usage;
import dev.handoff.gateway.ProviderRun;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The {@code provider_run} table. Every method takes the client (pool or transaction connection) to run on. */
@ApplicationScoped
public class ProviderRunRepository {

    /**
     * Records a run before anything is launched; false when it was recorded before (a redelivered request). The
     * caller becomes its owner for {@code lease}.
     */
    public Uni<Boolean> insertIfAbsent(SqlClient db, UUID runId, String workspaceId, String provider, String repositoryUrl,
            String branch, String targetBranch, String owner, Duration lease) {
        return db.preparedQuery("""
                insert into provider_run (run_id, workspace_id, provider, status, repository_url, branch, target_branch,
                    owner, lease_until, created_at, updated_at)
                values ($1, $2, $3, 'PENDING', $4, $5, $6, $7, now() + make_interval(secs => $8), now(), now())
                on conflict (run_id) do nothing""")
                .execute(Tuple.from(new Object[] {runId, workspaceId, provider, repositoryUrl, branch, targetBranch, owner,
                        (double) lease.toMillis() / 1000}))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Records a Cursor run with its request, due to be launched by whichever replica claims it first. */
    public Uni<Boolean> insertToLaunch(SqlClient db, UUID runId, String workspaceId, String provider, String repositoryUrl,
            String branch, String targetBranch, String requestJson) {
        return db.preparedQuery("""
                insert into provider_run (run_id, workspace_id, provider, status, repository_url, branch, target_branch,
                    request, next_poll_at, created_at, updated_at)
                values ($1, $2, $3, 'PENDING', $4, $5, $6, $7, now(), now(), now())
                on conflict (run_id) do nothing""")
                .execute(Tuple.from(new Object[] {runId, workspaceId, provider, repositoryUrl, branch, targetBranch, requestJson}))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<String> request(SqlClient db, UUID runId) {
        return db.preparedQuery("select request from provider_run where run_id = $1").execute(Tuple.of(runId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("request"));
    }

    public Uni<Void> markWebhookSecret(SqlClient db, UUID runId, boolean stored) {
        return db.preparedQuery("update provider_run set webhook_secret = $2 where run_id = $1")
                .execute(Tuple.of(runId, stored)).replaceWithVoid();
    }

    /** Finished runs whose webhook secret is still stored, finished longer ago than {@code age}. */
    public Uni<List<ProviderRun>> withStaleWebhookSecrets(SqlClient db, Duration age, int limit) {
        // a secret stays while a later run of the same agent (a follow-up) is active or recently finished: Cursor
        // signs that run's webhooks with the secret of the launch
        return db.preparedQuery("""
                select * from provider_run r
                where r.webhook_secret and r.status in ('COMPLETED', 'FAILED', 'CANCELLED')
                  and r.updated_at < now() - make_interval(secs => $1)
                  and not exists (select 1 from provider_run f
                      where r.provider_run_id is not null and f.provider = r.provider and f.workspace_id = r.workspace_id
                        and f.provider_run_id = r.provider_run_id and f.run_id <> r.run_id
                        and (f.status in ('PENDING', 'RUNNING') or f.updated_at >= now() - make_interval(secs => $1)))
                order by r.updated_at limit $2""")
                .execute(Tuple.of((double) age.toSeconds(), limit))
                .map(ProviderRunRepository::all);
    }

    /**
     * Forgets the request (the brief and task an agent was given) of up to {@code limit} runs finished longer ago than
     * {@code age}; answers how many. Only a run being launched reads it.
     */
    public Uni<Integer> clearOldRequests(SqlClient db, Duration age, int limit) {
        // the run's activity bookkeeping (its last seq, Cursor's messages already published) goes with it: a final
        // run publishes no more activity (a follow-up is a run of its own)
        return db.preparedQuery("""
                with old as (select run_id from provider_run
                             where request is not null and status in ('COMPLETED', 'FAILED', 'CANCELLED')
                               and updated_at < now() - make_interval(secs => $1)
                             order by updated_at limit $2),
                     activity as (delete from run_activity where run_id in (select run_id from old)),
                     messages as (delete from run_activity_message where run_id in (select run_id from old)),
                     cleared as (update provider_run set request = null
                                 where run_id in (select run_id from old) returning run_id)
                select count(*) as cleared from cleared""")
                .execute(Tuple.of((double) age.toSeconds(), limit))
                .map(rows -> rows.iterator().next().getLong("cleared").intValue());
    }

    public Uni<Void> markLaunchAttempted(SqlClient db, UUID runId) {
        return db.preparedQuery("update provider_run set launch_attempted_at = now() where run_id = $1")
                .execute(Tuple.of(runId)).replaceWithVoid();
    }

    public Uni<Boolean> launchAttempted(SqlClient db, UUID runId) {
        return db.preparedQuery("select launch_attempted_at is not null as attempted from provider_run where run_id = $1")
                .execute(Tuple.of(runId))
                .map(rows -> rows.size() > 0 && rows.iterator().next().getBoolean("attempted"));
    }

    public Uni<Optional<ProviderRun>> find(SqlClient db, UUID runId) {
        return db.preparedQuery("select * from provider_run where run_id = $1").execute(Tuple.of(runId)).map(ProviderRunRepository::first);
    }

    /** The newest run of a provider's agent in a workspace: a follow-up continues the agent of an earlier run. */
    public Uni<Optional<ProviderRun>> newestOfAgent(SqlClient db, String provider, String workspaceId, String providerRunId) {
        return db.preparedQuery("""
                select * from provider_run where provider = $1 and workspace_id = $2 and provider_run_id = $3
                order by created_at desc limit 1""")
                .execute(Tuple.of(provider, workspaceId, providerRunId)).map(ProviderRunRepository::first);
    }

    public Uni<Optional<ProviderRun>> lock(SqlClient db, UUID runId) {
        return db.preparedQuery("select * from provider_run where run_id = $1 for update").execute(Tuple.of(runId))
                .map(ProviderRunRepository::first);
    }

    public Uni<Void> save(SqlClient db, ProviderRun run) {
        boolean done = run.status().isFinal();
        return db.preparedQuery("""
                update provider_run set status = $2, provider_status = $3, provider_run_id = $4, provider_url = $5,
                    target_branch = $6, pull_request_url = $7, summary = $8, error_code = $9, error_message = $10,
                    owner = case when $11 then null else owner end,
                    lease_until = case when $11 then null else lease_until end,
                    next_poll_at = case when $11 then null else next_poll_at end,
                    usage_input_tokens = $12, usage_output_tokens = $13, usage_cost_usd = $14, usage_duration_ms = $15,
                    agent_session = $16,
                    updated_at = now()
                where run_id = $1""")
                .execute(Tuple.from(new Object[] {run.runId(), run.status().name(), run.providerStatus(), run.providerRunId(),
                        run.providerUrl(), run.targetBranch(), run.pullRequestUrl(), run.summary(),
                        run.error() == null ? null : run.error().code(), run.error() == null ? null : run.error().message(),
                        done, run.usage() == null ? null : run.usage().inputTokens(),
                        run.usage() == null ? null : run.usage().outputTokens(), run.usage() == null ? null : run.usage().costUsd(),
                        run.usage() == null ? null : run.usage().durationMs(), run.agentSession()}))
                .replaceWithVoid();
    }

    public Uni<Boolean> requestCancel(SqlClient db, UUID runId) {
        return db.preparedQuery("update provider_run set cancel_requested = true, updated_at = now() where run_id = $1")
                .execute(Tuple.of(runId)).map(rows -> rows.rowCount() == 1);
    }

    /** Extends the owner's lease on these runs; answers the ids among them whose cancellation was asked for. */
    public Uni<List<UUID>> renewLeases(SqlClient db, String owner, List<UUID> runIds, Duration lease) {
        if (runIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return db.preparedQuery("""
                update provider_run set lease_until = now() + make_interval(secs => $3)
                where run_id = any($2) and owner = $1 and status in ('PENDING', 'RUNNING')
                returning run_id, cancel_requested""")
                .execute(Tuple.of(owner, runIds.toArray(UUID[]::new), (double) lease.toMillis() / 1000))
                .map(rows -> {
                    List<UUID> cancelled = new ArrayList<>();
                    for (Row row : rows) {
                        if (row.getBoolean("cancel_requested")) {
                            cancelled.add(row.getUUID("run_id"));
                        }
                    }
                    return cancelled;
                });
    }

    /** Unfinished runs of a provider whose owner's lease ran out (its replica stopped), locked for the caller. */
    public Uni<List<ProviderRun>> lockAbandoned(SqlClient db, String provider, int limit) {
        return db.preparedQuery("""
                select * from provider_run
                where provider = $1 and status in ('PENDING', 'RUNNING') and (lease_until is null or lease_until < now())
                order by created_at limit $2 for update skip locked""")
                .execute(Tuple.of(provider, limit))
                .map(ProviderRunRepository::all);
    }

    /** Claims unfinished runs of a provider that are due to be polled and not claimed by a live replica. */
    public Uni<List<ProviderRun>> claimDue(SqlClient db, String provider, String owner, Duration lease, int limit) {
        return db.preparedQuery("""
                update provider_run set owner = $2, lease_until = now() + make_interval(secs => $3)
                where run_id in (
                    select run_id from provider_run
                    where provider = $1 and status in ('PENDING', 'RUNNING')
                      and (next_poll_at is null or next_poll_at <= now())
                      and (lease_until is null or lease_until < now() or owner = $2)
                    order by next_poll_at nulls first limit $4 for update skip locked)
                returning *""")
                .execute(Tuple.of(provider, owner, (double) lease.toMillis() / 1000, limit))
                .map(ProviderRunRepository::all);
    }

    public Uni<Void> schedulePoll(SqlClient db, UUID runId, Duration delay, int failures) {
        return db.preparedQuery("""
                update provider_run set next_poll_at = now() + make_interval(secs => $2), poll_failures = $3,
                    lease_until = null
                where run_id = $1 and status in ('PENDING', 'RUNNING')""")
                .execute(Tuple.of(runId, (double) delay.toMillis() / 1000, failures))
                .replaceWithVoid();
    }

    public Uni<Void> setProviderRun(SqlClient db, UUID runId, String providerRunId, String providerUrl, String providerStatus) {
        return db.preparedQuery("""
                update provider_run set provider_run_id = $2, provider_url = coalesce($3, provider_url),
                    provider_status = $4, updated_at = now()
                where run_id = $1""")
                .execute(Tuple.of(runId, providerRunId, providerUrl, providerStatus))
                .replaceWithVoid();
    }

    private static Optional<ProviderRun> first(RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(map(rows.iterator().next()));
    }

    private static List<ProviderRun> all(RowSet<Row> rows) {
        List<ProviderRun> runs = new ArrayList<>();
        for (Row row : rows) {
            runs.add(map(row));
        }
        return runs;
    }

    static ProviderRun map(Row row) {
        String errorCode = row.getString("error_code");
        return new ProviderRun(row.getUUID("run_id"), row.getString("workspace_id"), row.getString("provider"),
                RunStatus.valueOf(row.getString("status")), row.getString("provider_status"),
                row.getString("provider_run_id"), row.getString("provider_url"), row.getString("repository_url"),
                row.getString("branch"), row.getString("target_branch"), row.getString("pull_request_url"),
                row.getString("summary"), errorCode == null ? null : new ErrorInfo(errorCode, row.getString("error_message")),
                row.getBoolean("cancel_requested"), row.getString("owner"), Sql.instant(row, "lease_until"),
                Sql.instant(row, "next_poll_at"), row.getInteger("poll_failures"), usage(row), row.getString("agent_session"));
    }

    private static Usage usage(Row row) {
        Long input = row.getLong("usage_input_tokens");
        Long output = row.getLong("usage_output_tokens");
        Double cost = row.getDouble("usage_cost_usd");
        Long duration = row.getLong("usage_duration_ms");
        return input == null && output == null && cost == null && duration == null ? null
                : new Usage(duration, input, output, cost);
    }
}
