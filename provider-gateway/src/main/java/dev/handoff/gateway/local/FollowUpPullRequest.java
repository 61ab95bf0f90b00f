package dev.handoff.gateway.local;

import dev.handoff.events.FollowUp;
import dev.handoff.events.RunRequested;
import dev.handoff.gateway.LocalPullRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A follow-up's commits in the local pull request its branch already has: the record keeps its id, title and first
 * run, and its commits, diff stat and diff grow (always against the base branch, from where the branch left it), its
 * body gains the follow-up's instructions. A branch whose pull request is gone (or was never local) gets a new one.
 */
final class FollowUpPullRequest {

    private static final int MAX_INSTRUCTIONS_IN_BODY = 2000;
    private static final String BASE_REF = "refs/handoff/base";

    private FollowUpPullRequest() {
    }

    /** Updates (or, when missing, opens) the branch's local pull request; answers its URL. */
    static String update(Git git, Path repo, String url, RunRequested request, String targetBranch, String title,
            String body, String publicUrl, LocalRun.Host host) {
        // the single-branch clone of the target branch has no base branch: fetch it to diff from the merge base
        git.ok(repo, LocalRunFailure.PULL_REQUEST_FAILED, "could not fetch the base branch " + request.branch(),
                "fetch", "--quiet", "--no-tags", "--", url, "+refs/heads/" + request.branch() + ":" + BASE_REF);
        String mergeBase = git.ok(repo, LocalRunFailure.PULL_REQUEST_FAILED, "could not find where " + targetBranch
                + " left " + request.branch(), "merge-base", BASE_REF, "HEAD").strip();
        PullRequestContent content = PullRequestContent.read(git, repo, mergeBase);
        FollowUp followUp = request.followUp();
        Optional<LocalPullRequest> existing = idOf(followUp.pullRequestUrl())
                .flatMap(id -> host.findPullRequest(request.workspaceId(), id))
                .filter(pr -> pr.head().equals(targetBranch));
        if (existing.isPresent()) {
            LocalPullRequest pr = existing.get();
            host.updatePullRequest(new LocalPullRequest(pr.id(), pr.workspaceId(), pr.runId(), pr.repositoryUrl(), pr.base(),
                    pr.head(), pr.title(), pr.body() + followUpSection(request), content.commits(), content.diffStat(),
                    content.diff(), pr.createdAt()));
            return followUp.pullRequestUrl();
        }
        UUID id = UUID.randomUUID();
        host.savePullRequest(new LocalPullRequest(id, request.workspaceId(), request.runId(),
                RunText.redactUrl(request.repositoryUrl()), request.branch(), targetBranch, title, body + followUpSection(request),
                content.commits(), content.diffStat(), content.diff(), Instant.now()));
        return publicUrl + "/api/pull-requests/" + id;
    }

    private static String followUpSection(RunRequested request) {
        String instructions = request.instructions() == null ? "" : request.instructions().strip();
        if (instructions.length() > MAX_INSTRUCTIONS_IN_BODY) {
            instructions = instructions.substring(0, MAX_INSTRUCTIONS_IN_BODY) + " ...";
        }
        return "\n## Follow-up (run " + request.runId() + ")\n\n" + instructions + "\n";
    }

    /** Our local pull request URLs end with the record's id. */
    static Optional<UUID> idOf(String pullRequestUrl) {
        if (pullRequestUrl == null) {
            return Optional.empty();
        }
        String last = pullRequestUrl.replaceAll("/+$", "");
        last = last.substring(last.lastIndexOf('/') + 1);
        try {
            return Optional.of(UUID.fromString(last));
        } catch (IllegalArgumentException notOurs) {
            return Optional.empty();
        }
    }
}
