package dev.handoff.outbox;

import dev.handoff.events.EventJson;
import dev.handoff.events.HandoffEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The outbox table every service has (one shape, created by each service's migrations):
 * <pre>
 * outbox (id bigserial primary key, event_id uuid, run_id uuid (the Kafka key), topic, event_type, payload text,
 *         created_at timestamptz default now(), sent_at timestamptz, parked_at timestamptz, error text,
 *         traceparent text, tracestate text)
 * </pre>
 * Events are written in the transaction of the state change they report, so they exist exactly when that change
 * was committed; {@link OutboxRelay} publishes them, in the trace of the change ({@link TraceContext}, kept with the
 * row), not in the relay's own.
 */
public final class Outbox {

    static final String APPEND = """
            insert into outbox (event_id, run_id, topic, event_type, payload, created_at, traceparent, tracestate)
            values ($1, $2, $3, $4, $5, now(), $6, $7)""";

    /** Writes the event, keyed by its run, in the transaction {@code db} belongs to, in the caller's trace. */
    public static Uni<Void> append(SqlClient db, String topic, HandoffEvent event) {
        return append(db, topic, event, TraceContext.current());
    }

    /** Writes the event in the transaction {@code db} belongs to; the relay will publish it in {@code trace}. */
    public static Uni<Void> append(SqlClient db, String topic, HandoffEvent event, TraceContext trace) {
        return db.preparedQuery(APPEND)
                .execute(Tuple.from(new Object[] {event.eventId(), event.runId(), topic, event.eventType(),
                        EventJson.toJson(event), trace.traceparent(), trace.tracestate()}))
                .replaceWithVoid();
    }

    private Outbox() {
    }
}
