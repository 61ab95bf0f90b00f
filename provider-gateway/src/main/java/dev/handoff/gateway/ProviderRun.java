package dev.handoff.gateway;

import dev.handoff.events.ErrorInfo;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Usage;
import java.time.Instant;
import java.util.UUID;

/**
 * What the gateway knows about one run it was asked to launch (a row of {@code provider_run}). {@code usage} is what
 * the agent reported the run cost; {@code agentSession} the local agent's session ({@code <preset>:<id>}), which a
 * follow-up resumes.
 */
public record ProviderRun(UUID runId, String workspaceId, String provider, RunStatus status, String providerStatus,
        String providerRunId, String providerUrl, String repositoryUrl, String branch, String targetBranch,
        String pullRequestUrl, String summary, ErrorInfo error, boolean cancelRequested, String owner,
        Instant leaseUntil, Instant nextPollAt, int pollFailures, Usage usage, String agentSession) {
}
