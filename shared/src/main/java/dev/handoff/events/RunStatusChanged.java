package dev.handoff.events;

import java.time.Instant;
import java.util.UUID;

/** run service -> notifications, tasks: one per status a run takes; {@code version} increases per run. */
public record RunStatusChanged(UUID eventId, Instant occurredAt, String workspaceId, UUID runId, UUID taskId,
        RunStatus previousStatus, RunStatus status, long version, String detail, ErrorInfo error)
        implements HandoffEvent {
}
