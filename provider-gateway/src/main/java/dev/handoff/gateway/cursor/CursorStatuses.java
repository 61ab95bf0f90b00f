package dev.handoff.gateway.cursor;

import dev.handoff.gateway.cursor.CursorClient.Agent;
import dev.handoff.gateway.service.RunUpdate;
import java.util.Optional;

/**
 * The one mapping of a Cursor agent's status onto a run, for polls and webhooks alike: CREATING is still pending
 * (nothing to report), RUNNING is RUNNING, FINISHED completes the run with Cursor's pull request, branch and summary,
 * ERROR fails it with {@code provider-error} (Cursor's summary says why), EXPIRED with {@code provider-expired}. A
 * status this version does not know is treated as still pending.
 */
final class CursorStatuses {

    static final String PROVIDER_ERROR = "provider-error";
    static final String PROVIDER_EXPIRED = "provider-expired";

    private CursorStatuses() {
    }

    /**
     * API v1: what a Cursor run's status means for the Handoff run (the run itself, or its stream's {@code status} and
     * {@code result} events): RUNNING is RUNNING, FINISHED completes it with the final reply as summary and the agent's
     * pull request and branch, ERROR and EXPIRED fail it as above, CANCELLED cancels it; CREATING and anything unknown
     * are still pending (empty).
     */
    static Optional<RunUpdate> ofRun(String status, String result, CursorClientV1.Git git, String agentId) {
        CursorClientV1.Branch branch = git == null ? null : git.main();
        String prUrl = branch == null ? null : branch.prUrl();
        String branchName = branch == null ? null : branch.branch();
        return Optional.ofNullable(switch (status == null ? "" : status) {
            case "RUNNING" -> RunUpdate.running("RUNNING", agentId, null, branchName);
            case "FINISHED" -> RunUpdate.completed("FINISHED", prUrl, branchName,
                    result == null || result.isBlank() ? "Cursor's agent finished." : result).withProviderRun(agentId, null);
            case "ERROR" -> RunUpdate.failed("ERROR", PROVIDER_ERROR, "Cursor's agent stopped with an error"
                    + (result == null || result.isBlank() ? "" : ": " + result)).withProviderRun(agentId, null);
            case "EXPIRED" -> RunUpdate.failed("EXPIRED", PROVIDER_EXPIRED, "Cursor's agent expired before it finished")
                    .withProviderRun(agentId, null);
            case "CANCELLED" -> RunUpdate.cancelled("CANCELLED").withProviderRun(agentId, null);
            default -> null;
        });
    }

    /** What the agent's state means for its run; empty while there is nothing new to report. */
    static Optional<RunUpdate> update(Agent agent, String knownAgentId) {
        String status = agent.status() == null ? "" : agent.status();
        String agentId = agent.id() != null ? agent.id() : knownAgentId;
        String summary = agent.summary();
        return Optional.ofNullable(switch (status) {
            case "RUNNING" -> RunUpdate.running("RUNNING", agentId, agent.url(), agent.branchName());
            case "FINISHED" -> RunUpdate.completed("FINISHED", agent.prUrl(), agent.branchName(),
                    summary == null ? "Cursor's agent finished." : summary).withProviderRun(agentId, agent.url());
            case "ERROR" -> RunUpdate.failed("ERROR", PROVIDER_ERROR, "Cursor's agent stopped with an error"
                    + (summary == null ? "" : ": " + summary)).withProviderRun(agentId, agent.url());
            case "EXPIRED" -> RunUpdate.failed("EXPIRED", PROVIDER_EXPIRED, "Cursor's agent expired before it finished")
                    .withProviderRun(agentId, agent.url());
            default -> null;
        });
    }
}
