package dev.handoff.tasks.service;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.handoff.tasks.Brief;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A brief as PUT takes it: what GET answers may be sent back. The read-only fields ({@code id}, {@code createdAt},
 * {@code updatedAt}, {@code contentLength}) are ignored; any other unknown field is still refused.
 */
@Schema(name = "BriefReplacement", description = "A brief as sent to PUT: `title` and `content` (same rules as "
        + "BriefInput). The read-only fields GET answers (`id`, `createdAt`, `updatedAt`, `contentLength`) may be sent "
        + "back and are ignored; other unknown fields are refused.")
@JsonIgnoreProperties({ "id", "createdAt", "updatedAt", "contentLength" })
public record BriefReplacement(
        @Schema(description = "1-200 characters, not blank", examples = "Checkout revamp", required = true)
        @NotBlank @Size(max = Brief.TITLE_MAX) String title,
        @Schema(description = "Markdown, up to 1 MiB (1,048,576 characters); absent means empty")
        @Size(max = Brief.CONTENT_MAX) String content) {

    /** The same fields as a create takes, checked by the same rules. */
    public BriefInput toInput() {
        return new BriefInput(title, content);
    }
}
