package dev.handoff.run.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of {@code POST /api/runs/{id}/followups}: what the agent should do next on the same pull request. */
@Schema(name = "FollowUpRequest")
public record FollowUpRequest(
        @Schema(required = true, minLength = 1, maxLength = 10_000, description = "The new instructions") String instructions) {
}
