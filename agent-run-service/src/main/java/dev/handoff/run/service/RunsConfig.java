package dev.handoff.run.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of the run service ({@code HANDOFF_MAX_ACTIVE_RUNS} maps to {@code handoff.runs.max-active-runs}). */
@ConfigMapping(prefix = "handoff.runs")
public interface RunsConfig {

    /** PENDING or RUNNING runs a workspace may have at once; one more launch is answered 429. */
    @WithDefault("20")
    int maxActiveRuns();

    /** The {@code Retry-After} (seconds) of a 429 {@code concurrency-limit}. */
    @WithDefault("30")
    int retryAfterSeconds();
}
