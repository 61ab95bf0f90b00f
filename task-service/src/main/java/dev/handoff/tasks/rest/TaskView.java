package dev.handoff.tasks.rest;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A task as the API answers it, with its criteria and subtasks in order and its latest agent run (or null). */
@Schema(name = "Task")
public record TaskView(UUID id, UUID briefId, String title, String description, List<String> acceptanceCriteria,
        List<SubtaskView> subtasks, AgentRunView agentRun, Instant createdAt, Instant updatedAt) {
}
