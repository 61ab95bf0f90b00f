package dev.handoff.gateway.service;

import dev.handoff.events.ErrorInfo;
import dev.handoff.events.RunStatus;

/** A change the provider reports about a run; null fields keep what was known. */
public record RunUpdate(RunStatus status, String providerStatus, String providerRunId, String providerUrl,
        String pullRequestUrl, String branch, String summary, ErrorInfo error) {

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
        return new RunUpdate(status, providerStatus, id, url, pullRequestUrl, branch, summary, error);
    }
}
