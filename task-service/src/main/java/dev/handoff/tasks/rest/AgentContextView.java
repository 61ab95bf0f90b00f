package dev.handoff.tasks.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What an agent is given: the task exactly as {@code GET /api/tasks/{id}} answers it and its whole brief. The run
 * service reads this JSON and copies it into its RunRequested event; the two are kept apart so that the API and the
 * Kafka contract can change separately.
 */
@Schema(name = "AgentContext")
public record AgentContextView(TaskView task, BriefView brief) {
}
