package dev.handoff.tasks.service;

import dev.handoff.tasks.Brief;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The fields of a brief a client writes (create and replace). */
@Schema(name = "BriefInput", description = "A brief as written by a client")
public record BriefInput(
        @Schema(description = "1-200 characters, not blank", examples = "Checkout revamp", required = true)
        @NotBlank @Size(max = Brief.TITLE_MAX) String title,
        @Schema(description = "Markdown, up to 1 MiB (1,048,576 characters); absent means empty",
                examples = "# Checkout revamp\n\nUsers abandon the cart when ...")
        @Size(max = Brief.CONTENT_MAX) String content) {

    public String contentOrEmpty() {
        return content == null ? "" : content;
    }
}
