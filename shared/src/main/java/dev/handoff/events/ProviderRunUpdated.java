package dev.handoff.events;

import java.time.Instant;
import java.util.UUID;

/**
 * gateway -> run service: what the provider says about a run. {@code status} is the provider's state mapped
 * onto ours; {@code providerStatus} is the provider's own word for it; {@code usage} is what the run cost, when known.
 */
public record ProviderRunUpdated(UUID eventId, Instant occurredAt, String workspaceId, UUID runId, String provider,
        String providerRunId, String providerUrl, String providerStatus, RunStatus status, String pullRequestUrl,
        String branch, String summary, ErrorInfo error, Usage usage) implements HandoffEvent {

    /** An update that reports no usage. */
    public ProviderRunUpdated(UUID eventId, Instant occurredAt, String workspaceId, UUID runId, String provider,
            String providerRunId, String providerUrl, String providerStatus, RunStatus status, String pullRequestUrl,
            String branch, String summary, ErrorInfo error) {
        this(eventId, occurredAt, workspaceId, runId, provider, providerRunId, providerUrl, providerStatus, status,
                pullRequestUrl, branch, summary, error, null);
    }
}
