package dev.handoff.run.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the outbox relay works; the sweep interval itself is read by the scheduler ({@code handoff.outbox.sweep-interval}). */
@ConfigMapping(prefix = "handoff.outbox")
public interface OutboxConfig {

    /** Events published per relay round (each run contributes at most its oldest unsent event per round). */
    @WithDefault("100")
    int batchSize();

    /** How long the relay waits for the broker's acknowledgement before leaving an event for the next sweep. */
    @WithDefault("10s")
    Duration sendTimeout();

    /** How long sent events stay in the outbox table. */
    @WithDefault("P1D")
    Duration retention();

    /** The sweep interval (also used by the scheduler expression). */
    @WithDefault("1s")
    Duration sweepInterval();
}
