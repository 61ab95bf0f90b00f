package dev.handoff.events;

import java.time.Instant;
import java.util.UUID;

/** run service -> gateway: start an agent for this run; {@code followUp} is set when it continues an earlier run. */
public record RunRequested(UUID eventId, Instant occurredAt, String workspaceId, UUID runId, UUID taskId,
        String provider, String repositoryUrl, String branch, String targetBranch, String instructions,
        AgentContext context, FollowUp followUp) implements HandoffEvent {

    /** A first run (not a follow-up). */
    public RunRequested(UUID eventId, Instant occurredAt, String workspaceId, UUID runId, UUID taskId, String provider,
            String repositoryUrl, String branch, String targetBranch, String instructions, AgentContext context) {
        this(eventId, occurredAt, workspaceId, runId, taskId, provider, repositoryUrl, branch, targetBranch, instructions,
                context, null);
    }
}
