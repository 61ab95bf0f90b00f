package dev.handoff.events;

import java.time.Instant;
import java.util.UUID;

/** run service -> notifications, tasks: the run's agent opened a pull request. */
public record PullRequestOpened(UUID eventId, Instant occurredAt, String workspaceId, UUID runId, UUID taskId,
        String url, String branch, String title) implements HandoffEvent {
}
