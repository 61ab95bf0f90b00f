package dev.handoff.idempotency;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import java.util.function.Supplier;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The one idempotency scheme of every consumer: the ids of the events applied, in each service's table
 * <pre>
 * processed_events (event_id uuid primary key, processed_at timestamptz not null default now())
 * </pre>
 * forgotten after {@code handoff.processed-events.retention} (hourly purge here). A consumer whose effect is in its
 * own database {@link #claim claims} the event id in the transaction of that effect: the first delivery applies it,
 * a redelivery finds the id taken and changes nothing, whatever the number of replicas. A consumer whose effect
 * cannot share that transaction (a call to another system, an idempotent statement of its own) uses
 * {@link #unlessSeen}: skipped when recorded, recorded once the work succeeded.
 */
@ApplicationScoped
public class ProcessedEvents {

    static final String CLAIM = "insert into processed_events (event_id, processed_at) values ($1, now()) on conflict do nothing";
    /** The same statement in Hibernate's native-query parameter style. */
    static final String CLAIM_IN_SESSION =
            "insert into processed_events (event_id, processed_at) values (:eventId, now()) on conflict do nothing";
    static final String SEEN = "select 1 from processed_events where event_id = $1";
    static final String PURGE = "delete from processed_events where processed_at < now() - make_interval(secs => $1)";

    private final Pool pool;
    private final ProcessedEventsConfig config;

    public ProcessedEvents(Pool pool, ProcessedEventsConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** In the caller's transaction ({@code db}): records the event id; true the first time, false for a redelivery. */
    public static Uni<Boolean> claim(SqlClient db, UUID eventId) {
        return db.preparedQuery(CLAIM).execute(Tuple.of(eventId)).map(rows -> rows.rowCount() == 1);
    }

    /** {@link #claim(SqlClient, UUID)} in a Hibernate Reactive session's transaction (Panache consumers). */
    public static Uni<Boolean> claim(Mutiny.Session session, UUID eventId) {
        return session.createNativeQuery(CLAIM_IN_SESSION).setParameter("eventId", eventId).executeUpdate()
                .map(count -> count == 1);
    }

    /**
     * Runs {@code work} unless the event was recorded already, then records it. Answers whether the work ran. A crash
     * between the work and the record runs the work again on redelivery: for work that is idempotent in itself.
     */
    public Uni<Boolean> unlessSeen(UUID eventId, Supplier<Uni<Void>> work) {
        if (eventId == null) {
            // nothing to recognise a redelivery by: the work alone decides (and a consumer may refuse such a message)
            return Uni.createFrom().deferred(() -> work.get()).replaceWith(true);
        }
        return pool.preparedQuery(SEEN).execute(Tuple.of(eventId)).chain(rows -> {
            if (rows.size() > 0) {
                Log.debugf("event %s already processed", eventId);
                return Uni.createFrom().item(false);
            }
            return Uni.createFrom().deferred(() -> work.get()).chain(() -> claim(pool, eventId)).replaceWith(true);
        });
    }

    /** Forgets the ids older than the retention; answers how many. */
    public Uni<Integer> purge() {
        return pool.preparedQuery(PURGE).execute(Tuple.of((double) config.retention().toSeconds()))
                .map(rows -> rows.rowCount());
    }

    @Scheduled(every = "${handoff.processed-events.purge-every:1h}", delayed = "${handoff.processed-events.purge-delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> purgeOnSchedule() {
        return purge()
                .invoke(count -> Log.debugf("forgot %d processed event ids", count))
                .onFailure().invoke(e -> Log.warnf("processed events purge failed: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
