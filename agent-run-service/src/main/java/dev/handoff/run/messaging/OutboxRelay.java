package dev.handoff.run.messaging;

import dev.handoff.outbox.OutboxConfig;
import dev.handoff.outbox.Parked;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * This service's outbox relay: the shared {@link dev.handoff.outbox.OutboxRelay} on this service's {@code outbox}
 * table and {@code outbox} channel (the topic is set per record). Use cases {@link #kick()} it after their commit;
 * {@link OutboxSweeper} kicks it on a timer and purges. A parked (unpublishable) event fails its run:
 * {@link UnpublishableEvents}.
 */
@ApplicationScoped
public class OutboxRelay {

    private final dev.handoff.outbox.OutboxRelay relay;

    public OutboxRelay(Pool pool, @Channel(Channels.OUTBOX) MutinyEmitter<String> emitter, OutboxConfig config,
            UnpublishableEvents unpublishable) {
        this.relay = new dev.handoff.outbox.OutboxRelay("agent-run-service", pool, emitter, config,
                (List<Parked> parked) -> unpublishable.failTheirRuns());
    }

    /** Publishes what is pending now, in the background; coalesces with a drain already under way. */
    public void kick() {
        relay.kick();
    }

    /** Rounds until nothing is left; answers the number of events published. */
    Uni<Integer> drain() {
        return relay.drain();
    }

    /** No more kicks: the application is stopping. */
    void stop() {
        relay.stop();
    }

    /** Deletes sent and parked events past their retention. */
    Uni<Void> purge() {
        return relay.purge();
    }
}
