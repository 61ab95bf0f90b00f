package dev.handoff.events;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * gateway -> notifications ({@code handoff.run-activity}): a batch of what happened inside a run, in {@code seq} order;
 * a run's entries are numbered from 1 without gaps across its batches.
 */
public record RunActivity(UUID eventId, Instant occurredAt, String workspaceId, UUID runId, UUID taskId, String provider,
        List<Entry> entries) implements HandoffEvent {

    /** One entry: {@code kind} is {@code step}, {@code log}, {@code message}, {@code tool}, {@code error} or {@code truncated}. */
    public record Entry(long seq, Instant at, String kind, String text) {
    }
}
