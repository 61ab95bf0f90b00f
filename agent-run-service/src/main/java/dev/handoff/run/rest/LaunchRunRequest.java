package dev.handoff.run.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /api/tasks/{taskId}/runs}. */
@Schema(description = "What to run the agent on")
public record LaunchRunRequest(
        @Schema(required = true, description = "https://, ssh://, git@host:path, or file:// (local provider only)",
                examples = "https://github.com/acme/shop.git") String repositoryUrl,
        @Schema(required = true, description = "The branch the agent starts from", examples = "main") String branch,
        @Schema(description = "The branch the agent pushes to, never the same as branch; default"
                + " handoff/<task-slug>-<run-id-first-8>")
        String targetBranch,
        @Schema(description = "Extra instructions for the agent, up to 10,000 characters", maxLength = 10000)
        String instructions,
        @Schema(description = "One of the provider gateway's providers (GET /api/agent-config/providers on the gateway),"
                + " and only the one the workspace's admin configured and enabled (else 422 provider-not-enabled);"
                + " defaults to it", examples = "cursor")
        String provider) {
}
