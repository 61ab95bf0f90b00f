package dev.handoff.run.rest;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.handoff.events.ErrorInfo;
import dev.handoff.events.EventJson;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Usage;
import dev.handoff.run.Run;
import dev.handoff.run.repository.RunListRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A run as the contract shows it: never with the agent context it was launched with. */
@Schema(name = "Run")
public record RunView(UUID id, UUID taskId, RunStatus status, String provider, String repositoryUrl, String branch,
        String targetBranch, String instructions, String providerRunId, String providerUrl,
        @Schema(nullable = true) PullRequest pullRequest, String summary, @Schema(nullable = true) ErrorInfo error,
        Instant createdAt, Instant startedAt, Instant finishedAt, List<HistoryEntry> history,
        @Schema(nullable = true, description = "The run this one continues (a follow-up), or null") UUID followUpOf,
        @Schema(nullable = true, description = "What the provider reported the run cost, or null") Usage usage) {

    private static final TypeReference<List<HistoryEntry>> HISTORY = new TypeReference<>() {
    };

    /** A run as a list read it (without its agent context). */
    public static RunView of(RunListRow row) {
        List<HistoryEntry> history;
        try {
            history = EventJson.mapper().readValue(row.historyJson(), HISTORY);
        } catch (IOException e) {
            throw new UncheckedIOException("history of run " + row.id() + " is unreadable", e);
        }
        return new RunView(row.id(), row.taskId(), row.status(), row.provider(), row.repositoryUrl(), row.branch(),
                row.targetBranch(), row.instructions(), row.providerRunId(), row.providerUrl(),
                row.pullRequestUrl() == null ? null : new PullRequest(row.pullRequestUrl(), row.pullRequestBranch()),
                row.summary(), row.errorCode() == null ? null : new ErrorInfo(row.errorCode(), row.errorMessage()),
                row.createdAt(), row.startedAt(), row.finishedAt(), history, row.followUpOf(),
                Run.usage(row.usageDurationMs(), row.usageInputTokens(), row.usageOutputTokens(), row.usageCostUsd()));
    }

    /** The pull request the agent opened. */
    public record PullRequest(String url, String branch) {
    }

    /** One status the run took. */
    public record HistoryEntry(RunStatus status, Instant at, String detail) {
    }
}
