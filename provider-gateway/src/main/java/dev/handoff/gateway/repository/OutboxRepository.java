package dev.handoff.gateway.repository;

import dev.handoff.events.HandoffEvent;
import dev.handoff.outbox.Outbox;
import dev.handoff.outbox.TraceContext;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * The transactional outbox ({@link Outbox}): events written in the transaction of the change they report. A run's
 * updates are published in the trace of the RunRequested that recorded it ({@link #rememberTrace}), wherever they
 * come from later (an agent's exit, a poll, a webhook, another replica).
 */
@ApplicationScoped
public class OutboxRepository {

    private static final String RUN_TRACE = "select traceparent, tracestate from provider_run where run_id = $1";
    private static final String REMEMBER_TRACE = """
            update provider_run set traceparent = $2, tracestate = $3 where run_id = $1 and traceparent is null""";

    public Uni<Void> enqueue(SqlClient db, String topic, HandoffEvent event) {
        TraceContext caller = TraceContext.current();
        return db.preparedQuery(RUN_TRACE).execute(Tuple.of(event.runId())).chain(rows -> {
            Row row = rows.size() == 0 ? null : rows.iterator().next();
            TraceContext run = row == null ? TraceContext.NONE
                    : new TraceContext(row.getString("traceparent"), row.getString("tracestate"));
            return Outbox.append(db, topic, event, run.isPresent() ? run : caller);
        });
    }

    /** Keeps the caller's trace (the RunRequested's) with the run just recorded, for the updates that follow. */
    public Uni<Void> rememberTrace(SqlClient db, UUID runId, TraceContext trace) {
        if (!trace.isPresent()) {
            return Uni.createFrom().voidItem();
        }
        return db.preparedQuery(REMEMBER_TRACE).execute(Tuple.of(runId, trace.traceparent(), trace.tracestate()))
                .replaceWithVoid();
    }
}
