package dev.handoff.tasks.service;

import dev.handoff.events.HandoffEvent;
import dev.handoff.events.PullRequestOpened;
import dev.handoff.events.RunStatusChanged;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Keeps each task's agent run current from the run service's events. Safe against redelivery (event ids are
 * remembered), duplicates and reordering (a status only moves to a higher version, the first event time only moves
 * back, the update time only forward, a pull request URL is set once it is known); events about tasks this service does not have in the event's workspace are ignored.
 * <p>
 * Each event is applied by <b>one SQL statement</b> on the reactive pool, its own transaction: share-lock the task
 * (a task deleted meanwhile waits, or the event is ignored), claim the event id, upsert the run's row with those rules.
 * A status and a pull request event of a new run applied at the same moment both land: the second insert turns into
 * the update of the row the first one made. The upsert writes nothing when nothing changes.
 */
@ApplicationScoped
public class AgentRunProjection {

    /*
     * $1 workspace, $2 task, $3 event id, $4 run id, then the event's own values. The outer select reads the snapshot
     * taken before the statement (the CTEs' writes are not visible to it): "belongs" is null for a new run and false
     * for a run of another task or workspace, which is then left alone.
     */
    private static final String LOCK_AND_CLAIM = """
            with task as (
                select 1 from tasks where id = $2 and workspace_id = $1 for share
            ), claimed as (
                insert into processed_events (event_id, processed_at)
                select $3, now() where exists (select 1 from task)
                on conflict do nothing
                returning 1
            ), applied as (
            """;
    private static final String OUTCOME = """
                returning 1
            )
            select exists (select 1 from task) as task_present, exists (select 1 from claimed) as first,
                   exists (select 1 from applied) as changed,
                   (select r.workspace_id = $1 and r.task_id = $2 from agent_runs r where r.run_id = $4) as belongs
            """;

    /** $5 status, $6 version, $7 occurredAt. */
    static final String APPLY_STATUS = LOCK_AND_CLAIM + """
                insert into agent_runs as r (run_id, workspace_id, task_id, status, version, first_event_at, updated_at)
                select $4, $1, $2, $5, $6, $7, $7 where exists (select 1 from claimed)
                on conflict (run_id) do update set
                    status = case when r.version is null or excluded.version > r.version
                        then excluded.status else r.status end,
                    version = case when r.version is null or excluded.version > r.version
                        then excluded.version else r.version end,
                    first_event_at = case when r.first_event_at is null or excluded.first_event_at < r.first_event_at
                        then excluded.first_event_at else r.first_event_at end,
                    updated_at = case when r.version is null or excluded.version > r.version
                        then greatest(r.updated_at, excluded.updated_at) else r.updated_at end
                where r.workspace_id = excluded.workspace_id and r.task_id = excluded.task_id
                    and (r.version is null or excluded.version > r.version
                         or r.first_event_at is null or excluded.first_event_at < r.first_event_at)
            """ + OUTCOME;

    /** $5 pull request URL, $6 occurredAt. */
    static final String APPLY_PULL_REQUEST = LOCK_AND_CLAIM + """
                insert into agent_runs as r (run_id, workspace_id, task_id, pull_request_url, updated_at)
                select $4, $1, $2, $5, $6 where exists (select 1 from claimed)
                on conflict (run_id) do update set
                    pull_request_url = excluded.pull_request_url,
                    updated_at = greatest(r.updated_at, excluded.updated_at)
                where r.workspace_id = excluded.workspace_id and r.task_id = excluded.task_id
                    and r.pull_request_url is distinct from excluded.pull_request_url
            """ + OUTCOME;

    private final Pool pool;

    public AgentRunProjection(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> apply(RunStatusChanged event) {
        requireComplete(event, event == null ? null : event.taskId());
        if (event.status() == null) {
            throw new IllegalArgumentException("RunStatusChanged " + event.eventId() + " has no status");
        }
        return apply(event, event.taskId(), APPLY_STATUS, event.status().name(), event.version(), utc(event.occurredAt()));
    }

    public Uni<Void> apply(PullRequestOpened event) {
        requireComplete(event, event == null ? null : event.taskId());
        if (event.url() == null || event.url().isBlank()) {
            throw new IllegalArgumentException("PullRequestOpened " + event.eventId() + " has no url");
        }
        return apply(event, event.taskId(), APPLY_PULL_REQUEST, event.url(), utc(event.occurredAt()));
    }

    /** Runs {@code statement} with the event's keys ($1-$4) and its own {@code values} ($5 on). */
    private Uni<Void> apply(HandoffEvent event, UUID taskId, String statement, Object... values) {
        Tuple tuple = Tuple.of(event.workspaceId(), taskId, event.eventId(), event.runId());
        for (Object value : values) {
            tuple.addValue(value);
        }
        return pool.preparedQuery(statement).execute(tuple).invoke(rows -> {
            Row outcome = rows.iterator().next();
            if (!outcome.getBoolean("task_present")) {
                Log.debugf("ignoring %s %s: no task %s in workspace %s", event.eventType(), event.eventId(),
                        taskId, event.workspaceId());
            } else if (!outcome.getBoolean("first")) {
                Log.debugf("ignoring %s %s: already applied", event.eventType(), event.eventId());
            } else if (Boolean.FALSE.equals(outcome.getBoolean("belongs"))) {
                Log.warnf("ignoring %s %s: run %s belongs to another task", event.eventType(), event.eventId(),
                        event.runId());
            } else {
                Log.debugf("run %s of task %s: %s %s", event.runId(), taskId, event.eventType(),
                        outcome.getBoolean("changed") ? "applied" : "changed nothing");
            }
        }).replaceWithVoid();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    /** A message without the fields every event has cannot be applied: it fails, so it goes to the DLQ. */
    private static void requireComplete(HandoffEvent event, UUID taskId) {
        if (event == null) {
            throw new IllegalArgumentException("unreadable event (not the expected JSON)");
        }
        if (event.eventId() == null || event.occurredAt() == null || event.workspaceId() == null
                || event.runId() == null || taskId == null) {
            throw new IllegalArgumentException(event.eventType() + " lacks eventId, occurredAt, workspaceId, runId "
                    + "or taskId");
        }
    }
}
