package dev.handoff.notify.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Outgoing webhooks ({@code handoff.webhooks.*}); README.md lists the environment variables behind them. */
@ConfigMapping(prefix = "handoff.webhooks")
public interface WebhookConfig {

    /** Allow receivers on loopback, private and link-local addresses ({@code HANDOFF_WEBHOOK_ALLOW_PRIVATE}). */
    @WithDefault("false")
    boolean allowPrivate();

    /**
     * Base64 of 32 bytes sealing the signing secrets at rest ({@code HANDOFF_WEBHOOK_SECRETS_KEY}, else
     * {@code HANDOFF_SECRETS_KEY}). Without one the secrets are stored as they are, with a warning at startup.
     */
    Optional<String> secretsKey();

    /** A receiver must answer 2xx within this time, or the attempt failed. */
    @WithDefault("10s")
    Duration timeout();

    /** How often each replica looks for due deliveries. */
    @WithDefault("1s")
    Duration pollInterval();

    /** A claimed delivery is this replica's for this long (longer than {@link #timeout()}); then anyone retries it. */
    @WithDefault("60s")
    Duration lease();

    /** Attempts in flight on this replica, all receivers together. */
    @WithDefault("16")
    int concurrency();

    /** Attempts in flight on this replica for one webhook: a hanging receiver holds no more slots than this. */
    @WithDefault("2")
    int perWebhookConcurrency();

    /** Delivery records (delivered or failed) are kept this long. */
    @WithDefault("P7D")
    Duration retention();

    @WithDefault("1h")
    Duration purgeInterval();

    Retry retry();

    interface Retry {

        /** The pause after the first failed attempt; it doubles after each further one, up to {@link #maxPause()}. */
        @WithDefault("15s")
        Duration initialPause();

        @WithDefault("1h")
        Duration maxPause();

        /** How long after the event a delivery is attempted before it is given up as failed. */
        @WithDefault("24h")
        Duration giveUpAfter();
    }
}
