package dev.handoff.tasks.repository;

import java.time.Instant;
import java.util.UUID;

/** A brief without its content (which may be 1 MiB): what a list needs, read by a projection query. */
public record BriefSummary(UUID id, String title, Integer contentLength, Instant createdAt, Instant updatedAt, Long seq) {
}
