package dev.handoff.run.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of the run service ({@code HANDOFF_MAX_ACTIVE_RUNS} maps to {@code handoff.runs.max-active-runs}). */
@ConfigMapping(prefix = "handoff.runs")
public interface RunsConfig {

    /** PENDING or RUNNING runs a workspace may have at once; one more launch is answered 429. */
    @WithDefault("20")
    int maxActiveRuns();

    /**
     * The largest agent context (task + brief as JSON, in UTF-8 bytes) a launch accepts ({@code
     * HANDOFF_MAX_CONTEXT_BYTES}); larger: 422 {@code context-too-large}. 3 MiB leaves room in the 4 MiB RunRequested.
     */
    @WithDefault("3145728")
    long maxContextBytes();

    /** The {@code Retry-After} (seconds) of a 429 {@code concurrency-limit}. */
    @WithDefault("30")
    int retryAfterSeconds();
}
