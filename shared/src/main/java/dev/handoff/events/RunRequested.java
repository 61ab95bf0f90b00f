package dev.handoff.events;

import java.time.Instant;
import java.util.UUID;

/** run service -> gateway: start an agent for this run. */
public record RunRequested(UUID eventId, Instant occurredAt, String workspaceId, UUID runId, UUID taskId,
        String provider, String repositoryUrl, String branch, String targetBranch, String instructions,
        AgentContext context) implements HandoffEvent {
}
