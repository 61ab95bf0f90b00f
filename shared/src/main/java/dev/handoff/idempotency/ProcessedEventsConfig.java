package dev.handoff.idempotency;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How long every service remembers the event ids its consumers applied ({@code handoff.processed-events.*}). */
@ConfigMapping(prefix = "handoff.processed-events")
public interface ProcessedEventsConfig {

    /** Long after any redelivery; the events' versions still guard their order after an id is forgotten. */
    @WithDefault("P30D")
    Duration retention();

    /** How often the purge runs (a scheduler expression: {@code 1h}, {@code 2s}). */
    @WithDefault("1h")
    String purgeEvery();

    /** How long after the start the first purge runs. */
    @WithDefault("1m")
    String purgeDelay();
}
