package dev.handoff.tasks.repository;

import dev.handoff.tasks.ProcessedEvent;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

@ApplicationScoped
public class ProcessedEventRepository implements PanacheRepositoryBase<ProcessedEvent, UUID> {

    /** Records the event as processed; false when it already was (a redelivery), safe under concurrency. */
    public Uni<Boolean> markProcessed(UUID eventId, String workspaceId) {
        return getSession()
                .chain(session -> session.createNativeQuery("""
                        insert into processed_events (event_id, workspace_id) values (:eventId, :workspaceId)
                        on conflict (event_id) do nothing""")
                        .setParameter("eventId", eventId)
                        .setParameter("workspaceId", workspaceId)
                        .executeUpdate())
                .map(inserted -> inserted > 0);
    }

    public Uni<Long> deleteProcessedBefore(Instant cutoff) {
        return delete("processedAt < ?1", cutoff);
    }
}
