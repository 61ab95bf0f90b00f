package dev.handoff.outbox;

import java.util.UUID;

/** An outbox event the broker will never take, set aside with its error so that it delays nobody. */
public record Parked(long id, UUID eventId, UUID runId, String topic, String eventType, String error) {
}
