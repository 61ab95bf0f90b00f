package dev.handoff.run.messaging;

import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.run.service.RunService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Applies the gateway's {@code handoff.provider-run-updated} to runs. Unknown runs are ignored (other teams'
 * events share the topic); a message that cannot be read goes to {@code handoff.provider-run-updated.dlq} at once, one
 * that cannot be applied after a few retries (about 4 s); neither blocks its partition for longer.
 */
@ApplicationScoped
public class ProviderRunUpdatedConsumer {

    private final RunService runs;
    private final OutboxRelay relay;

    public ProviderRunUpdatedConsumer(RunService runs, OutboxRelay relay) {
        this.runs = runs;
        this.relay = relay;
    }

    @Incoming(Channels.PROVIDER_RUN_UPDATED)
    public Uni<Void> consume(ProviderRunUpdated update) {
        if (update == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("unreadable ProviderRunUpdated message"));
        }
        if (update.eventId() == null || update.runId() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("ProviderRunUpdated without eventId or runId"));
        }
        return Uni.createFrom().deferred(() -> runs.applyProviderUpdate(update))
                // a readable update for a run is worth a few tries (lost race, deadlock, database blip) before the DLQ
                .onFailure().retry().withBackOff(Duration.ofMillis(50), Duration.ofSeconds(2)).atMost(5)
                .invoke(changed -> {
                    if (changed) {
                        relay.kick();
                    }
                })
                .replaceWithVoid();
    }
}
