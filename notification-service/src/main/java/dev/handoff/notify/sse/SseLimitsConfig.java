package dev.handoff.notify.sse;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The caps on open streams ({@code handoff.sse.*}): {@code HANDOFF_SSE_MAX_PER_WORKSPACE} and
 * {@code HANDOFF_SSE_MAX}; beyond them a new stream is 429 {@code concurrency-limit} with {@code Retry-After}.
 */
@ConfigMapping(prefix = "handoff.sse")
public interface SseLimitsConfig {

    /** Open streams one workspace may have on this replica. */
    @WithDefault("50")
    int maxPerWorkspace();

    /** Open streams this replica holds in all. */
    @WithDefault("5000")
    int max();

    /** The {@code Retry-After} of a refused stream. */
    @WithDefault("10s")
    Duration retryAfter();
}
