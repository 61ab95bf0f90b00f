package dev.handoff.gateway.service;

import dev.handoff.events.ErrorInfo;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Usage;

/**
 * A change the provider reports about a run; null fields keep what was known. {@code usage} is what the run cost as
 * the agent reported it; {@code agentSession} the local agent's session ({@code <preset>:<id>}) for a follow-up.
 */
public record RunUpdate(RunStatus status, String providerStatus, String providerRunId, String providerUrl,
        String pullRequestUrl, String branch, String summary, ErrorInfo error, Usage usage, String agentSession) {

    public RunUpdate(RunStatus status, String providerStatus, String providerRunId, String providerUrl,
            String pullRequestUrl, String branch, String summary, ErrorInfo error) {
        this(status, providerStatus, providerRunId, providerUrl, pullRequestUrl, branch, summary, error, null, null);
    }

    public static RunUpdate running(String providerStatus, String providerRunId, String providerUrl, String branch) {
        return new RunUpdate(RunStatus.RUNNING, providerStatus, providerRunId, providerUrl, null, branch, null, null);
    }

    public static RunUpdate completed(String providerStatus, String pullRequestUrl, String branch, String summary) {
        return new RunUpdate(RunStatus.COMPLETED, providerStatus, null, null, pullRequestUrl, branch, summary, null);
    }

    public static RunUpdate failed(String providerStatus, String code, String message) {
        return new RunUpdate(RunStatus.FAILED, providerStatus, null, null, null, null, null, new ErrorInfo(code, message));
    }

    public static RunUpdate cancelled(String providerStatus) {
        return new RunUpdate(RunStatus.CANCELLED, providerStatus, null, null, null, null, null, null);
    }

    public RunUpdate withProviderRun(String id, String url) {
        return new RunUpdate(status, providerStatus, id, url, pullRequestUrl, branch, summary, error, usage, agentSession);
    }

    /** The same update with what the agent reported it cost and its session. */
    public RunUpdate withAgentReport(Usage usage, String agentSession) {
        return new RunUpdate(status, providerStatus, providerRunId, providerUrl, pullRequestUrl, branch, summary, error,
                usage, agentSession);
    }
}
