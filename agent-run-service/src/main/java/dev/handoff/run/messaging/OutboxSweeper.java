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
 * death) every {@code handoff.outbox.sweep-interval}, and purges old rows hourly. Idle until the application has
 * started, so that the relay's Kafka channel exists when it is first used.
 */
@ApplicationScoped
public class OutboxSweeper {

    private final OutboxRelay relay;
    private volatile boolean started;

    public OutboxSweeper(OutboxRelay relay) {
        this.relay = relay;
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

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        return started ? relay.purge() : Uni.createFrom().voidItem();
    }
}
