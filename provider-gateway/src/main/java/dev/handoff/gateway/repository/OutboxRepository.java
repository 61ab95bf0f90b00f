package dev.handoff.gateway.repository;

import dev.handoff.events.EventJson;
import dev.handoff.events.HandoffEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The transactional outbox: events written in the transaction of the change they report. */
@ApplicationScoped
public class OutboxRepository {

    /** One event waiting to be sent. */
    public record Pending(long id, String topic, String key, String eventType, UUID eventId, String payload) {
    }

    public Uni<Void> enqueue(SqlClient db, String topic, HandoffEvent event) {
        return db.preparedQuery("insert into outbox (topic, message_key, event_type, event_id, payload) values ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(topic, event.runId().toString(), event.eventType(), event.eventId(), EventJson.toJson(event)))
                .replaceWithVoid();
    }

    /**
     * The oldest unsent events, only for the one relay holding the outbox lock in this transaction (so the events of
     * a run leave in the order they were written, whatever the number of replicas); empty for the others.
     */
    public Uni<List<Pending>> lockBatch(SqlClient db, int limit) {
        return db.query("select pg_try_advisory_xact_lock(7263541) as locked").execute()
                .chain(rows -> {
                    if (!rows.iterator().next().getBoolean("locked")) {
                        return Uni.createFrom().item(List.<Pending>of());
                    }
                    return db.preparedQuery("select * from outbox where sent_at is null order by id limit $1")
                            .execute(Tuple.of(limit))
                            .map(result -> {
                                List<Pending> pending = new ArrayList<>();
                                for (Row row : result) {
                                    pending.add(new Pending(row.getLong("id"), row.getString("topic"), row.getString("message_key"),
                                            row.getString("event_type"), row.getUUID("event_id"), row.getString("payload")));
                                }
                                return pending;
                            });
                });
    }

    public Uni<Void> markSent(SqlClient db, List<Long> ids) {
        return db.preparedQuery("update outbox set sent_at = now() where id = any($1)")
                .execute(Tuple.of(ids.toArray(Long[]::new)))
                .replaceWithVoid();
    }

    public Uni<Integer> purgeSentBefore(SqlClient db, java.time.Duration age) {
        return db.preparedQuery("delete from outbox where sent_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) age.toSeconds()))
                .map(rows -> rows.rowCount());
    }
}
