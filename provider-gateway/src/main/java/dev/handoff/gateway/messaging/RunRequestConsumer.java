package dev.handoff.gateway.messaging;

import dev.handoff.events.RunRequested;
import dev.handoff.idempotency.ProcessedEvents;
import dev.handoff.resilience.Redelivery;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * {@code handoff.run-requested}: hands each run to its provider. Every provider records the run before launching
 * anything, so a redelivered request never starts a second agent. An unreadable message goes to the DLQ.
 */
@ApplicationScoped
public class RunRequestConsumer {

    private final ProviderDispatch dispatch;
    private final Redelivery redelivery;
    private final ProcessedEvents processed;

    public RunRequestConsumer(ProviderDispatch dispatch, Redelivery redelivery, ProcessedEvents processed) {
        this.dispatch = dispatch;
        this.redelivery = redelivery;
        this.processed = processed;
    }

    @Incoming("run-requested")
    public Uni<Void> onRunRequested(RunRequested request) {
        if (request == null || request.runId() == null || request.workspaceId() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("not a readable RunRequested"));
        }
        // a database outage is waited out; only a request that fails the same way every time reaches the DLQ
        // a request already handed over is skipped (the provider's own record would also keep it from a second agent)
        return redelivery.apply("run request " + request.runId(),
                () -> processed.unlessSeen(request.eventId(), () -> dispatch.launch(request))).replaceWithVoid();
    }
}
