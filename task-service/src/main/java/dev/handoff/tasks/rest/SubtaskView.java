package dev.handoff.tasks.rest;

import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A subtask as the API answers it; {@code position} is its 0-based index in the task's list. */
@Schema(name = "Subtask")
public record SubtaskView(UUID id, int position, String title, String description) {
}
