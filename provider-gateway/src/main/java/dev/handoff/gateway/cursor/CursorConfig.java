package dev.handoff.gateway.cursor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The Cursor provider's settings ({@code HANDOFF_CURSOR_*}; the environment variable names are fixed, see README.md). */
@ConfigMapping(prefix = "handoff.cursor")
public interface CursorConfig {

    /** Cursor's API ({@code HANDOFF_CURSOR_BASE_URL}). */
    @WithDefault("https://api.cursor.com")
    String baseUrl();

    /** How often an active run is polled ({@code HANDOFF_CURSOR_POLL_INTERVAL}). */
    @WithDefault("15s")
    Duration pollInterval();

    /** How long one replica owns the polling of a run before another may take it over. */
    @WithDefault("60s")
    Duration lease();

    @WithDefault("10s")
    Duration requestTimeout();

    /** The longest wait between two polls while Cursor answers 429 or 5xx. */
    @WithDefault("5m")
    Duration maxBackoff();
}
