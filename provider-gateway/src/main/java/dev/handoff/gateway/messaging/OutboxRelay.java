package dev.handoff.gateway.messaging;

import dev.handoff.outbox.OutboxConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * This service's outbox relay: the shared {@link dev.handoff.outbox.OutboxRelay} on the gateway's {@code outbox}
 * table and its {@code provider-run-updated} channel. Kicked right after each change ({@link #kick()}) and every
 * {@code handoff.outbox.sweep-interval}, which also covers events left behind by a crash between commit and send.
 * An update the broker refuses for good is parked (and logged as an error) so that it delays no other run.
 */
@ApplicationScoped
public class OutboxRelay {

    private final dev.handoff.outbox.OutboxRelay relay;

    public OutboxRelay(Pool pool, @Channel("provider-run-updated") MutinyEmitter<String> updates, OutboxConfig config) {
        this.relay = new dev.handoff.outbox.OutboxRelay("provider-gateway", pool, updates, config,
                parked -> Uni.createFrom().voidItem());
    }

    /** Sends what is pending now, without waiting; a relay already at work goes round once more. */
    public void kick() {
        relay.kick();
    }

    @Scheduled(every = "${handoff.outbox.sweep-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void onTimer() {
        relay.kick();
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> purge() {
        return relay.purge();
    }
}
