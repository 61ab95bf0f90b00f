package dev.handoff.gateway.messaging;

import dev.handoff.events.RunRequested;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * {@code handoff.run-requested}: hands each run to its provider. Every provider records the run before launching
 * anything, so a redelivered request never starts a second agent. An unreadable message goes to the DLQ.
 */
@ApplicationScoped
public class RunRequestConsumer {

    private final ProviderDispatch dispatch;

    public RunRequestConsumer(ProviderDispatch dispatch) {
        this.dispatch = dispatch;
    }

    @Incoming("run-requested")
    public Uni<Void> onRunRequested(RunRequested request) {
        if (request == null || request.runId() == null || request.workspaceId() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("not a readable RunRequested"));
        }
        // a passing database or broker hiccup is retried here before the message goes to the DLQ
        return dispatch.launch(request)
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(5)).atMost(3);
    }
}
