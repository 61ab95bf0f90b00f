package dev.handoff.run.messaging;

import dev.handoff.run.service.RunService;
import io.quarkus.logging.Log;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * An event the relay parked (the broker will never take it: too large, not serializable) fails its run with
 * {@code error.code: event-not-publishable}, so the run does not stay PENDING for good and its task is free for a new
 * launch. Called by the relay right after the round that parked it, and by {@link OutboxSweeper} every 10 s as the
 * safety net; failing a run is idempotent (once per parked event, and a finished run does not move).
 */
@ApplicationScoped
public class UnpublishableEvents {

    /** Parked events whose run is still active: what is left to do. */
    static final String PARKED_OF_ACTIVE_RUNS = """
            select o.event_id, o.run_id, o.event_type
              from outbox o join runs r on r.id = o.run_id
             where o.parked_at is not null and r.status in ('PENDING', 'RUNNING')
             order by o.id
             limit 100""";

    private final Pool pool;
    private final RunService runs;
    private final Vertx vertx;

    public UnpublishableEvents(Pool pool, RunService runs, Vertx vertx) {
        this.pool = pool;
        this.runs = runs;
        this.vertx = vertx;
    }

    /** Fails the active runs that have a parked event; a failure is logged and left for the next sweep. */
    public Uni<Void> failTheirRuns() {
        // on a fresh safe context: the relay calls this from the pool's callbacks, where Panache has no session
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        return Uni.createFrom().voidItem()
                .emitOn(command -> context.runOnContext(ignored -> command.run()))
                .chain(() -> pool.query(PARKED_OF_ACTIVE_RUNS).execute())
                .chain(rows -> Multi.createFrom().iterable(rows)
                        .onItem().transformToUniAndConcatenate(this::failRunOf)
                        .collect().last())
                .replaceWithVoid()
                .onFailure().invoke(e -> Log.warnf("failing the runs of unpublishable events: %s (next sweep retries)",
                        e.toString()))
                .onFailure().recoverWithNull();
    }

    private Uni<Boolean> failRunOf(Row row) {
        return runs.failUnpublishable(row.getUUID("run_id"), row.getUUID("event_id"), row.getString("event_type"))
                .invoke(failed -> {
                    if (failed) {
                        Log.warnf("run %s failed: its %s %s can never be published", row.getUUID("run_id"),
                                row.getString("event_type"), row.getUUID("event_id"));
                    }
                });
    }
}
