package dev.handoff.gateway.repository;

import dev.handoff.events.HandoffEvent;
import dev.handoff.outbox.Outbox;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

/** The transactional outbox ({@link Outbox}): events written in the transaction of the change they report. */
@ApplicationScoped
public class OutboxRepository {

    public Uni<Void> enqueue(SqlClient db, String topic, HandoffEvent event) {
        return Outbox.append(db, topic, event);
    }
}
