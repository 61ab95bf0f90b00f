package dev.handoff.tasks.rest;

import dev.handoff.events.RunStatus;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A task's latest agent run, as projected from the run service's events. */
@Schema(name = "AgentRunRef")
public record AgentRunView(UUID runId, RunStatus status, String pullRequestUrl, Instant updatedAt) {
}
