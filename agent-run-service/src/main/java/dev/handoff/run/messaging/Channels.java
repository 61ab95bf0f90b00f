package dev.handoff.run.messaging;

/** Channel names of this service (topics are configured in application.properties). */
public final class Channels {

    /** Incoming: {@code handoff.provider-run-updated}. */
    public static final String PROVIDER_RUN_UPDATED = "provider-run-updated";
    /** Outgoing: every event of the outbox; the topic is chosen per record. */
    public static final String OUTBOX = "outbox";

    private Channels() {
    }
}
