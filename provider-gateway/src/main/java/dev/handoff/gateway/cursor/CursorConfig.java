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

    /**
     * Which of Cursor's Cloud Agents APIs the provider speaks ({@code HANDOFF_CURSOR_API}): {@code v0} (the default),
     * or {@code v1} (public beta: agents with runs, activity from each run's event stream).
     */
    @WithDefault("v0")
    Api api();

    /** API v1: how long one turn of a run reads its event stream before it lets go (and resumes on the next turn). */
    @WithDefault("25s")
    Duration streamWindow();

    /** The two APIs ({@code HANDOFF_CURSOR_API}). */
    enum Api {
        V0, V1
    }
}
