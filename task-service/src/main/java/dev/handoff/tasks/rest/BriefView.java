package dev.handoff.tasks.rest;

import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A brief as the API answers it (GET, POST, PUT, and inside the agent context). */
@Schema(name = "Brief")
public record BriefView(UUID id, String title, String content, Instant createdAt, Instant updatedAt) {
}
