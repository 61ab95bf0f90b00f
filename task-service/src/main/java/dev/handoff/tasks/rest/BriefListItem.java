package dev.handoff.tasks.rest;

import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A brief in a list: everything but its content, which can be 1 MiB; {@code contentLength} says how long it is. */
@Schema(name = "BriefListItem")
public record BriefListItem(UUID id, String title, int contentLength, Instant createdAt, Instant updatedAt) {
}
