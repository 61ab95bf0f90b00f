package dev.handoff.tasks.service;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.handoff.tasks.Task;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A task as PUT takes it: what GET answers may be sent back. The read-only fields ({@code id}, {@code briefId},
 * {@code agentRun}, {@code createdAt}, {@code updatedAt}, a subtask's {@code position}) are ignored; any other unknown
 * field is still refused.
 */
@Schema(name = "TaskReplacement", description = "A task as sent to PUT (same rules as TaskInput). The read-only "
        + "fields GET answers (`id`, `briefId`, `agentRun`, `createdAt`, `updatedAt`, a subtask's `position`) may be "
        + "sent back and are ignored; other unknown fields are refused.")
@JsonIgnoreProperties({ "id", "briefId", "agentRun", "createdAt", "updatedAt" })
public record TaskReplacement(
        @Schema(description = "1-200 characters, not blank", examples = "Persist the cart server-side", required = true)
        @NotBlank @Size(max = Task.TITLE_MAX) String title,
        @Schema(description = "Markdown, up to 64 KiB (65,536 characters); absent means empty")
        @Size(max = Task.DESCRIPTION_MAX) String description,
        @Schema(description = "In order; up to 50, each 1-2,000 characters; absent means none")
        @Size(max = Task.CRITERIA_MAX) List<@NotBlank @Size(max = Task.CRITERION_MAX) String> acceptanceCriteria,
        @Schema(description = "The implementation steps in order; a subtask sent with its `id` keeps it, one without "
                + "is new, the task's subtasks left out are deleted; up to 100; absent means none")
        @Size(max = Task.SUBTASKS_MAX) List<@NotNull @Valid SubtaskReplacement> subtasks) {

    /** The same fields as a create takes, checked by the same rules (violations keep their paths). */
    public TaskInput toInput() {
        List<SubtaskInput> steps = subtasks == null ? null
                : subtasks.stream().map(step -> step == null ? null : step.toInput()).toList();
        return new TaskInput(title, description, acceptanceCriteria, steps);
    }
}
