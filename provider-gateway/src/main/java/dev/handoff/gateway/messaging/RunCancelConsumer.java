package dev.handoff.gateway.messaging;

import dev.handoff.events.RunCancelRequested;
import dev.handoff.idempotency.ProcessedEvents;
import dev.handoff.gateway.service.RunLedger;
import dev.handoff.resilience.Redelivery;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * {@code handoff.run-cancel-requested}: marks the run as to be cancelled (so every replica can see it) and asks its
 * provider to stop the agent. A cancel that arrives before its launch request is remembered, and the launch ignored.
 */
@ApplicationScoped
public class RunCancelConsumer {

    private final RunLedger ledger;
    private final ProviderDispatch dispatch;
    private final Redelivery redelivery;
    private final ProcessedEvents processed;

    public RunCancelConsumer(RunLedger ledger, ProviderDispatch dispatch, Redelivery redelivery,
            ProcessedEvents processed) {
        this.ledger = ledger;
        this.dispatch = dispatch;
        this.redelivery = redelivery;
        this.processed = processed;
    }

    @Incoming("run-cancel-requested")
    public Uni<Void> onCancelRequested(RunCancelRequested cancel) {
        if (cancel == null || cancel.runId() == null || cancel.workspaceId() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("not a readable RunCancelRequested"));
        }
        return redelivery.apply("cancel of run " + cancel.runId(),
                () -> processed.unlessSeen(cancel.eventId(), () -> cancel(cancel))).replaceWithVoid();
    }

    private Uni<Void> cancel(RunCancelRequested cancel) {
        return ledger.requestCancel(cancel)
                .chain(toStop -> toStop.map(dispatch::cancel).orElse(Uni.createFrom().voidItem()));
    }
}
