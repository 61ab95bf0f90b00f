package dev.handoff.notify;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The service's own settings ({@code handoff.notify.*}); README.md lists the environment variables behind them. */
@ConfigMapping(prefix = "handoff.notify")
public interface NotifyConfig {

    /** Never less than 24 hours take effect: see {@link dev.handoff.notify.service.Retention}. */
    @WithDefault("P1D")
    Duration retention();

    @WithDefault("15m")
    Duration pruneInterval();

    Sse sse();

    Activity activity();

    /** Run activity ({@code GET /api/activity}, {@code run.activity} on the stream). */
    interface Activity {

        /** How long stored activity is kept ({@code HANDOFF_ACTIVITY_RETENTION}). */
        @WithDefault("P30D")
        Duration retention();

        /** How often each replica purges activity older than the retention. */
        @WithDefault("15m")
        Duration purgeInterval();

        /** Rows deleted per statement of a purge: a large backlog is deleted in short transactions, not one long one. */
        @WithDefault("1000")
        int purgeBatchSize();
    }

    interface Sse {

        /** How often an idle stream gets a {@code : keep-alive} comment. */
        @WithDefault("15s")
        Duration heartbeat();

        /** Events queued for one connection before it is dropped as too slow (it resumes by Last-Event-ID). */
        @WithDefault("1000")
        int maxPending();

        /** A write to a client that does not complete within this time drops the connection. */
        @WithDefault("60s")
        Duration stallTimeout();

        /** Rows read per query when a reconnecting client is replayed what it missed. */
        @WithDefault("200")
        int replayPageSize();
    }
}
