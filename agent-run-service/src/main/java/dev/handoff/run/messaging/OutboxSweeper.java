package dev.handoff.run.messaging;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The outbox's safety net: publishes whatever is left unsent (after a crash, a broker outage, another replica's
 * death) every {@code handoff.outbox.sweep-interval}, fails the runs of events that could never be published, and
 * purges old rows hourly (old processed-event ids: {@link dev.handoff.idempotency.ProcessedEvents}). Idle until the
 * application has started, so that the relay's Kafka channel exists when it is first used.
 */
@ApplicationScoped
public class OutboxSweeper {

    private final OutboxRelay relay;
    private final UnpublishableEvents unpublishable;
    private volatile boolean started;

    public OutboxSweeper(OutboxRelay relay, UnpublishableEvents unpublishable) {
        this.relay = relay;
        this.unpublishable = unpublishable;
    }

    void onStart(@Observes StartupEvent event) {
        started = true;
    }

    void onStop(@Observes ShutdownEvent event) {
        if (started) {
            started = false;
            relay.stop();
        }
    }

    @Scheduled(every = "${handoff.outbox.sweep-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        if (!started) {
            return;
        }
        try {
            relay.kick();
        } catch (RuntimeException e) {
            Log.debugf("outbox sweep skipped: %s", e.toString());
        }
    }

    /** The safety net of the relay's own call after a round that parked events (which may have failed). */
    @Scheduled(every = "10s", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> failRunsOfParkedEvents() {
        return started ? unpublishable.failTheirRuns() : Uni.createFrom().voidItem();
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        return started ? relay.purge() : Uni.createFrom().voidItem();
    }
}
