package dev.handoff.gateway.cursor;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

/**
 * API v1: which Cursor run each Handoff run is, and where the gateway stands in its event stream (table
 * {@code cursor_run_stream}), so that any replica resumes it with {@code Last-Event-ID}, also after a restart.
 */
@ApplicationScoped
class CursorRunStreams {

    /** A Handoff run's Cursor agent and run, the last stream event fully handled, and whether the stream expired. */
    record Position(String agentId, String cursorRunId, String lastEventId, boolean expired) {
    }

    private final Pool pool;

    CursorRunStreams(Pool pool) {
        this.pool = pool;
    }

    Uni<Optional<Position>> find(UUID runId) {
        return pool.preparedQuery("select agent_id, cursor_run_id, last_event_id, expired from cursor_run_stream where run_id = $1")
                .execute(Tuple.of(runId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(position(rows.iterator().next())));
    }

    /** The run's Cursor run, from its start (a position kept for the same Cursor run stays). */
    Uni<Void> start(UUID runId, String agentId, String cursorRunId) {
        return pool.preparedQuery("""
                insert into cursor_run_stream (run_id, agent_id, cursor_run_id, last_event_id, expired, updated_at)
                values ($1, $2, $3, null, false, now())
                on conflict (run_id) do update set agent_id = excluded.agent_id, cursor_run_id = excluded.cursor_run_id,
                    last_event_id = case when cursor_run_stream.cursor_run_id = excluded.cursor_run_id
                        then cursor_run_stream.last_event_id end,
                    expired = cursor_run_stream.expired and cursor_run_stream.cursor_run_id = excluded.cursor_run_id,
                    updated_at = now()
                """).execute(Tuple.of(runId, agentId, cursorRunId)).replaceWithVoid();
    }

    /** The last event handled (null: read the stream from its start again). */
    Uni<Void> advance(UUID runId, String lastEventId) {
        return pool.preparedQuery("update cursor_run_stream set last_event_id = $2, updated_at = now() where run_id = $1")
                .execute(Tuple.of(runId, lastEventId)).replaceWithVoid();
    }

    /** Cursor answered 410 {@code stream_expired}: the run is polled from now on. */
    Uni<Void> expire(UUID runId) {
        return pool.preparedQuery("update cursor_run_stream set expired = true, updated_at = now() where run_id = $1")
                .execute(Tuple.of(runId)).replaceWithVoid();
    }

    private static Position position(Row row) {
        return new Position(row.getString("agent_id"), row.getString("cursor_run_id"), row.getString("last_event_id"),
                row.getBoolean("expired"));
    }
}
