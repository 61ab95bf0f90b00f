package dev.handoff.tasks.service;

import dev.handoff.tasks.Subtask;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A subtask as written by a client; its position is its index in the list. */
@Schema(name = "SubtaskInput", description = "A subtask as written by a client; its position is its index in the list")
public record SubtaskInput(
        @Schema(description = "Absent for a new subtask; the id of one of this task's subtasks to keep it (same id)")
        UUID id,
        @Schema(description = "1-200 characters, not blank", required = true)
        @NotBlank @Size(max = Subtask.TITLE_MAX) String title,
        @Schema(description = "Up to 64 KiB (65,536 characters); absent means empty")
        @Size(max = Subtask.DESCRIPTION_MAX) String description) {

    public String descriptionOrEmpty() {
        return description == null ? "" : description;
    }
}
