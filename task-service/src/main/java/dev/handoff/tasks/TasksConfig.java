package dev.handoff.tasks;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The task service's own settings. */
@ConfigMapping(prefix = "handoff.tasks")
public interface TasksConfig {

    /** How long applied event ids are remembered for redelivery detection. */
    @WithDefault("P30D")
    Duration processedEventsRetention();

    /** How often old event ids are forgotten. */
    @WithDefault("1h")
    String processedEventsCleanupEvery();

    /** How long after start the first cleanup runs. */
    @WithDefault("1m")
    String processedEventsCleanupDelay();
}
