package dev.handoff.tasks.rest;

import java.util.Map;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

/** Field descriptions for the response schemas (the view records of this package), kept in one table. */
public class ApiSchemaDescriptions implements OASFilter {

    private static final Map<String, Map<String, String>> DESCRIPTIONS = Map.of(
            "Brief", Map.of(
                    "_", "A brief: a workspace's planning document",
                    "id", "The brief's id",
                    "title", "1-200 characters",
                    "content", "Markdown, up to 1,048,576 characters",
                    "createdAt", "When it was created (ISO-8601 UTC)",
                    "updatedAt", "When it was last replaced (ISO-8601 UTC); equals createdAt until then"),
            "BriefListItem", Map.of(
                    "_", "A brief in a list: everything but its content (GET the brief for that)",
                    "id", "The brief's id",
                    "title", "1-200 characters",
                    "contentLength", "The length of its content in characters",
                    "createdAt", "When it was created (ISO-8601 UTC)",
                    "updatedAt", "When it was last replaced (ISO-8601 UTC); equals createdAt until then"),
            "Task", Map.of(
                    "_", "A task of a brief, with everything an agent needs to carry it out",
                    "id", "The task's id",
                    "briefId", "The brief it belongs to",
                    "title", "1-200 characters",
                    "description", "Markdown, up to 65,536 characters",
                    "acceptanceCriteria", "In the order they were given; up to 50",
                    "subtasks", "The implementation steps, ordered by position (0, 1, 2, ...); up to 100",
                    "agentRun", "The task's latest agent run, or null when no run was ever launched. Updated from the "
                            + "run service's events within moments of each change",
                    "createdAt", "When it was created (ISO-8601 UTC)",
                    "updatedAt", "When its own fields were last replaced (agentRun changes do not count)"),
            "Subtask", Map.of(
                    "_", "An implementation step of a task",
                    "id", "Stable: a replacement that sends this id keeps the subtask",
                    "position", "0-based index in the task's list",
                    "title", "1-200 characters",
                    "description", "Up to 65,536 characters"),
            "AgentRunRef", Map.of(
                    "_", "The latest agent run of a task (details: the run service's GET /api/runs/{runId})",
                    "runId", "The run's id in the run service",
                    "status", "PENDING, RUNNING, then COMPLETED, FAILED or CANCELLED (final)",
                    "pullRequestUrl", "The pull request the agent opened, or null",
                    "updatedAt", "When the newest event that changed this run occurred"),
            "AgentContext", Map.of(
                    "_", "Exactly what an agent is given",
                    "task", "The task as GET /api/tasks/{id} answers it",
                    "brief", "The task's whole brief"));

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null || openAPI.getComponents().getSchemas() == null) {
            return;
        }
        Map<String, Schema> schemas = openAPI.getComponents().getSchemas();
        DESCRIPTIONS.forEach((name, fields) -> {
            Schema schema = schemas.get(name);
            if (schema == null) {
                return;
            }
            fields.forEach((field, description) -> {
                if (field.equals("_")) {
                    schema.setDescription(description);
                } else if (schema.getProperties() != null && schema.getProperties().get(field) != null) {
                    schema.getProperties().get(field).setDescription(description);
                }
            });
        });
    }
}
