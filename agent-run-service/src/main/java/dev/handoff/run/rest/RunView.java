package dev.handoff.run.rest;

import dev.handoff.events.ErrorInfo;
import dev.handoff.events.RunStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A run as the contract shows it. */
@Schema(name = "Run")
public record RunView(UUID id, UUID taskId, RunStatus status, String provider, String repositoryUrl, String branch,
        String targetBranch, String instructions, String providerRunId, String providerUrl,
        @Schema(nullable = true) PullRequest pullRequest, String summary, @Schema(nullable = true) ErrorInfo error,
        Instant createdAt, Instant startedAt, Instant finishedAt, List<HistoryEntry> history) {

    /** The pull request the agent opened. */
    public record PullRequest(String url, String branch) {
    }

    /** One status the run took. */
    public record HistoryEntry(RunStatus status, Instant at, String detail) {
    }
}
