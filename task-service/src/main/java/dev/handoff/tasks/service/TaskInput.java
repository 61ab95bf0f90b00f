package dev.handoff.tasks.service;

import dev.handoff.tasks.Task;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The fields of a task a client writes; a replacement (PUT) replaces all of them, criteria and subtasks included. */
@Schema(name = "TaskInput", description = "A task as written by a client")
public record TaskInput(
        @Schema(description = "1-200 characters, not blank", examples = "Persist the cart server-side", required = true)
        @NotBlank @Size(max = Task.TITLE_MAX) String title,
        @Schema(description = "Markdown, up to 64 KiB (65,536 characters); absent means empty")
        @Size(max = Task.DESCRIPTION_MAX) String description,
        @Schema(description = "In order; up to 50, each 1-2,000 characters; absent means none")
        @Size(max = Task.CRITERIA_MAX) List<@NotBlank @Size(max = Task.CRITERION_MAX) String> acceptanceCriteria,
        @Schema(description = "The implementation steps in order (array order is the order); up to 100; absent means none")
        @Size(max = Task.SUBTASKS_MAX) List<@NotNull @Valid SubtaskInput> subtasks) {

    public String descriptionOrEmpty() {
        return description == null ? "" : description;
    }

    public List<String> criteriaOrEmpty() {
        return acceptanceCriteria == null ? List.of() : acceptanceCriteria;
    }

    public List<SubtaskInput> subtasksOrEmpty() {
        return subtasks == null ? List.of() : subtasks;
    }
}
