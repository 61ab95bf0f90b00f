package dev.handoff.events;

import java.time.Instant;
import java.util.UUID;

/** run service -> gateway: stop the provider's agent of this run. */
public record RunCancelRequested(UUID eventId, Instant occurredAt, String workspaceId, UUID runId, String provider,
        String providerRunId) implements HandoffEvent {
}
