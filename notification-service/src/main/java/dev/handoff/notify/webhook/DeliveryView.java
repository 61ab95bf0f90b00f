package dev.handoff.notify.webhook;

import java.time.Instant;
import java.util.UUID;

/** One entry of a webhook's delivery log: {@code status} is delivered, retrying or failed. */
public record DeliveryView(UUID id, UUID eventId, String event, String status, int attempts, Integer lastStatusCode,
        String lastError, Instant createdAt, Instant deliveredAt) {
}
