package dev.handoff.tasks.service;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.handoff.tasks.Subtask;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A subtask as PUT takes it: its {@code id} keeps it; a {@code position} sent back is ignored (the index counts). */
@Schema(name = "SubtaskReplacement", description = "A subtask as sent to PUT: its `id` keeps it (absent: a new "
        + "subtask); a `position` sent back is ignored, the index in the list is the position")
@JsonIgnoreProperties({ "position" })
public record SubtaskReplacement(
        @Schema(description = "Absent for a new subtask; the id of one of this task's subtasks to keep it (same id)")
        UUID id,
        @Schema(description = "1-200 characters, not blank", required = true)
        @NotBlank @Size(max = Subtask.TITLE_MAX) String title,
        @Schema(description = "Up to 64 KiB (65,536 characters); absent means empty")
        @Size(max = Subtask.DESCRIPTION_MAX) String description) {

    SubtaskInput toInput() {
        return new SubtaskInput(id, title, description);
    }
}
