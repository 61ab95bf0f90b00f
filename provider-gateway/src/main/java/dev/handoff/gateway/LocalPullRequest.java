package dev.handoff.gateway;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A pull request the local provider opened on a repository that has no forge API: the branch, its commits and diff. */
public record LocalPullRequest(UUID id, String workspaceId, UUID runId, String repositoryUrl, String base, String head,
        String title, String body, List<Commit> commits, String diffStat, String diff, Instant createdAt) {

    /** One commit of the pull request, oldest first. */
    public record Commit(String sha, String author, String message) {
    }
}
