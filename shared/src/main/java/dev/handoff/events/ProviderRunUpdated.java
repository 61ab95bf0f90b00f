package dev.handoff.events;

import java.time.Instant;
import java.util.UUID;

/**
 * gateway -> run service: what the provider says about a run. {@code status} is the provider's state mapped
 * onto ours; {@code providerStatus} is the provider's own word for it.
 */
public record ProviderRunUpdated(UUID eventId, Instant occurredAt, String workspaceId, UUID runId, String provider,
        String providerRunId, String providerUrl, String providerStatus, RunStatus status, String pullRequestUrl,
        String branch, String summary, ErrorInfo error) implements HandoffEvent {
}
