package dev.handoff.run.repository;

import dev.handoff.events.RunStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * A run as a list reads it: every column the API shows, and not the stored agent context (task and brief, up to
 * several MiB), which no answer carries.
 */
public record RunListRow(UUID id, UUID taskId, RunStatus status, String provider, String repositoryUrl, String branch,
        String targetBranch, String instructions, String providerRunId, String providerUrl, String pullRequestUrl,
        String pullRequestBranch, String summary, String errorCode, String errorMessage, Instant createdAt,
        Instant startedAt, Instant finishedAt, String historyJson, UUID followUpOf, Long usageDurationMs,
        Long usageInputTokens, Long usageOutputTokens, Double usageCostUsd) {

    /** Where this row stands in a newest-first list: the place the next page starts after. */
    public RunPosition position() {
        return new RunPosition(createdAt, id);
    }
}
