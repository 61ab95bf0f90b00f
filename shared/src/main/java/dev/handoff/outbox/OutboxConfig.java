package dev.handoff.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How every service's outbox relay works ({@code handoff.outbox.*}), the one place for it. The sweep interval is
 * also read by the services' schedulers ({@code ${handoff.outbox.sweep-interval}}).
 */
@ConfigMapping(prefix = "handoff.outbox")
public interface OutboxConfig {

    /** Runs a relay round claims (by their oldest unsent event); a round sends at most four times as many events. */
    @WithDefault("100")
    int batchSize();

    /** How long the relay waits for the broker's acknowledgement before leaving an event for the next sweep. */
    @WithDefault("10s")
    Duration sendTimeout();

    /** How long sent (and parked, unpublishable) events stay in the outbox table. */
    @WithDefault("P1D")
    Duration retention();

    /** The safety-net sweep's interval (also used by the scheduler expressions). */
    @WithDefault("1s")
    Duration sweepInterval();
}
