package dev.handoff.run.messaging;

import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.resilience.Redelivery;
import dev.handoff.run.service.RunService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Applies the gateway's {@code handoff.provider-run-updated} to runs. Unknown runs are ignored (other teams'
 * events share the topic); a message that cannot be read goes to {@code handoff.provider-run-updated.dlq} at once, one
 * that cannot be applied after a few retries. A database outage or a lost race is waited out ({@link Redelivery}): a
 * good update is never parked because PostgreSQL restarted.
 */
@ApplicationScoped
public class ProviderRunUpdatedConsumer {

    private final RunService runs;
    private final OutboxRelay relay;
    private final Redelivery redelivery;

    public ProviderRunUpdatedConsumer(RunService runs, OutboxRelay relay, Redelivery redelivery) {
        this.runs = runs;
        this.relay = relay;
        this.redelivery = redelivery;
    }

    @Incoming(Channels.PROVIDER_RUN_UPDATED)
    public Uni<Void> consume(ProviderRunUpdated update) {
        if (update == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("unreadable ProviderRunUpdated message"));
        }
        if (update.eventId() == null || update.runId() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("ProviderRunUpdated without eventId or runId"));
        }
        return redelivery.<Boolean>apply("provider update " + update.eventId() + " of run " + update.runId(),
                        () -> runs.applyProviderUpdate(update))
                .invoke(changed -> {
                    if (changed) {
                        relay.kick();
                    }
                })
                .replaceWithVoid();
    }
}
