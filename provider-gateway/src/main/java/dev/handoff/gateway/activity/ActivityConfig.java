package dev.handoff.gateway.activity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The limits of a run's activity ({@code HANDOFF_ACTIVITY_*}; see README.md). */
@ConfigMapping(prefix = "handoff.activity")
public interface ActivityConfig {

    /**
     * How many of the agent's own entries a run publishes ({@code HANDOFF_ACTIVITY_MAX_ENTRIES}); then one
     * {@code truncated} entry, and the agent's later output is dropped (the gateway's steps still follow).
     */
    @WithDefault("20000")
    long maxEntries();
}
