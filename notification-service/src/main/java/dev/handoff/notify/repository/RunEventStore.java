package dev.handoff.notify.repository;

import dev.handoff.notify.RunEvent;
import dev.handoff.notify.RunEventType;
import dev.handoff.outbox.TraceContext;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The stored events. Plain SQL on the reactive pool: the sequence and the notification of the other replicas must
 * happen in the insert's own transaction, which one statement expresses best.
 */
@ApplicationScoped
public class RunEventStore {

    /** The PostgreSQL channel every replica LISTENs on; the payload is {@code <workspaceId>:<sequence>}. */
    public static final String CHANNEL = "handoff_run_events";

    /*
     * One statement, one transaction: (1) skip an eventId already stored, (2) take the next sequence of the workspace
     * by upserting its counter row, which keeps that row locked until commit, so writers of one workspace commit in
     * sequence order, (3) insert the event (a concurrent duplicate loses on the unique eventId and leaves a gap), (4)
     * pg_notify, which PostgreSQL delivers to the listeners only when (and if) the transaction commits.
     */
    private static final String INSERT = """
            with next as (
                insert into workspace_sequence as s (workspace_id, last_sequence)
                select $1::text, 1 where not exists (select 1 from run_event where event_id = $2::uuid)
                on conflict (workspace_id) do update set last_sequence = s.last_sequence + 1
                returning last_sequence
            ), stored as (
                insert into run_event (workspace_id, sequence, event_id, task_id, run_id, event_type, payload, occurred_at,
                    traceparent, tracestate)
                select $1::text, last_sequence, $2::uuid, $3::uuid, $4::uuid, $5::text, $6::text, $7::timestamptz,
                    $8::text, $9::text
                from next
                on conflict (event_id) do nothing
                returning sequence
            )
            select sequence, pg_notify('%s', $1::text || ':' || sequence) from stored
            """.formatted(CHANNEL);

    private static final String COLUMNS = "workspace_id, sequence, event_id, task_id, run_id, event_type, payload, created_at";

    private static final String AFTER = "select " + COLUMNS + " from run_event where workspace_id = $1 and sequence > $2"
            + " and ($3::uuid is null or task_id = $3) and ($4::uuid is null or run_id = $4)"
            + " order by sequence limit $5";

    private static final String BETWEEN = "select " + COLUMNS + ", traceparent, tracestate from run_event where workspace_id = $1"
            + " and sequence > $2 and sequence <= $3 order by sequence limit $4";

    private final Pool pool;

    public RunEventStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * Stores the event once, with the caller's trace (the consumer's, from the Kafka record's {@code traceparent}),
     * in which the live feed later hands it to the SSE streams; the sequence it got, or empty when its eventId was
     * already stored.
     */
    public Uni<Optional<Long>> store(RunEvent event, Instant occurredAt) {
        return store(pool, event, occurredAt);
    }

    /** {@link #store(RunEvent, Instant)} within the caller's transaction ({@code db}), which holds the notification. */
    public Uni<Optional<Long>> store(SqlClient db, RunEvent event, Instant occurredAt) {
        TraceContext trace = TraceContext.current();
        Tuple values = Tuple.tuple()
                .addString(event.workspaceId())
                .addUUID(event.eventId())
                .addUUID(event.taskId())
                .addUUID(event.runId())
                .addString(event.type().kafkaType())
                .addString(event.json())
                .addOffsetDateTime(occurredAt == null ? null : occurredAt.atOffset(ZoneOffset.UTC))
                .addString(trace.traceparent())
                .addString(trace.tracestate());
        return db.preparedQuery(INSERT).execute(values)
                .map(rows -> rows.size() == 0 ? Optional.<Long>empty() : Optional.of(rows.iterator().next().getLong(0)));
    }

    /** A workspace's events after {@code afterSequence}, oldest first, optionally one task's or one run's. */
    public Uni<List<RunEvent>> after(String workspaceId, long afterSequence, UUID taskId, UUID runId, int limit) {
        return pool.preparedQuery(AFTER)
                .execute(Tuple.tuple().addString(workspaceId).addLong(afterSequence).addUUID(taskId).addUUID(runId)
                        .addInteger(limit))
                .map(RunEventStore::events);
    }

    /** A workspace's events in {@code (afterSequence, upTo]}, oldest first. */
    public Uni<List<RunEvent>> between(String workspaceId, long afterSequence, long upTo, int limit) {
        return tracedBetween(workspaceId, afterSequence, upTo, limit)
                .map(traced -> traced.stream().map(Traced::event).toList());
    }

    /** A stored event with the trace it was stored in ({@link TraceContext#NONE} when there was none). */
    public record Traced(RunEvent event, TraceContext trace) {
    }

    /** The same, each with its trace: what the live feed hands on. */
    public Uni<List<Traced>> tracedBetween(String workspaceId, long afterSequence, long upTo, int limit) {
        return pool.preparedQuery(BETWEEN)
                .execute(Tuple.of(workspaceId, afterSequence, upTo, limit))
                .map(rows -> {
                    List<RunEvent> events = events(rows);
                    List<Traced> traced = new ArrayList<>(events.size());
                    int i = 0;
                    for (Row row : rows) {
                        traced.add(new Traced(events.get(i++),
                                new TraceContext(row.getString("traceparent"), row.getString("tracestate"))));
                    }
                    return traced;
                });
    }

    /** Deletes the events stored before {@code cutoff}; the number deleted. */
    public Uni<Integer> deleteCreatedBefore(Instant cutoff) {
        return pool.preparedQuery("delete from run_event where created_at < $1")
                .execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC)))
                .map(RowSet::rowCount);
    }

    private static List<RunEvent> events(RowSet<Row> rows) {
        List<RunEvent> events = new ArrayList<>(rows.size());
        for (Row row : rows) {
            OffsetDateTime createdAt = row.getOffsetDateTime("created_at");
            events.add(new RunEvent(row.getString("workspace_id"), row.getLong("sequence"), row.getUUID("event_id"),
                    row.getUUID("task_id"), row.getUUID("run_id"), RunEventType.ofKafkaType(row.getString("event_type")),
                    row.getString("payload"), createdAt == null ? null : createdAt.toInstant()));
        }
        return events;
    }
}
