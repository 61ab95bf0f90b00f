package dev.handoff.events;

import java.util.UUID;

/**
 * RunRequested {@code followUp} (contract v2): the earlier run a follow-up continues, as the gateway needs it to go on
 * with the same agent, branch and pull request.
 */
public record FollowUp(UUID runId, String providerRunId, String branch, String pullRequestUrl, String summary) {
}
