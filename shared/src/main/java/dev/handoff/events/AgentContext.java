package dev.handoff.events;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Exactly what an agent is given: the task (criteria and subtasks in order) and its whole brief. */
public record AgentContext(Task task, Brief brief) {

    public record Brief(UUID id, String title, String content, Instant createdAt, Instant updatedAt) {
    }

    public record Task(UUID id, UUID briefId, String title, String description, List<String> acceptanceCriteria,
            List<Subtask> subtasks, AgentRunRef agentRun, Instant createdAt, Instant updatedAt) {
    }

    public record Subtask(UUID id, int position, String title, String description) {
    }

    /** The task's latest run, as the task service projects it from run events. */
    public record AgentRunRef(UUID runId, RunStatus status, String pullRequestUrl, Instant updatedAt) {
    }
}
