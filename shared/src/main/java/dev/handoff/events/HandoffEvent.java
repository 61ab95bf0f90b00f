package dev.handoff.events;

import java.time.Instant;
import java.util.UUID;

/** What every event of the contract carries; the Kafka key is always {@link #runId()}. */
public interface HandoffEvent {

    UUID eventId();

    Instant occurredAt();

    String workspaceId();

    UUID runId();

    /** The value of the {@code event-type} header, e.g. {@code RunStatusChanged}. */
    default String eventType() {
        return getClass().getSimpleName();
    }
}
