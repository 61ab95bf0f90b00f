package dev.handoff.gateway;

import dev.handoff.events.ErrorInfo;
import dev.handoff.events.RunStatus;
import java.time.Instant;
import java.util.UUID;

/** What the gateway knows about one run it was asked to launch (a row of {@code provider_run}). */
public record ProviderRun(UUID runId, String workspaceId, String provider, RunStatus status, String providerStatus,
        String providerRunId, String providerUrl, String repositoryUrl, String branch, String targetBranch,
        String pullRequestUrl, String summary, ErrorInfo error, boolean cancelRequested, String owner,
        Instant leaseUntil, Instant nextPollAt, int pollFailures) {
}
