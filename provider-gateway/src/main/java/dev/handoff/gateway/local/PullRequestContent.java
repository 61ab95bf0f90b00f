package dev.handoff.gateway.local;

import dev.handoff.gateway.LocalPullRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a local pull request shows of its branch: the commits since {@code base} (oldest first), the diff stat and the
 * diff (cut at 1 MiB). Read when a run opens the pull request and again when a follow-up adds to it.
 */
record PullRequestContent(List<LocalPullRequest.Commit> commits, String diffStat, String diff) {

    static final int MAX_DIFF_BYTES = 1024 * 1024;

    static PullRequestContent read(Git git, Path repo, String base) {
        List<LocalPullRequest.Commit> commits = new ArrayList<>();
        String log = git.ok(repo, LocalRunFailure.PULL_REQUEST_FAILED, "could not list the commits",
                "log", "--reverse", "--format=%H%x1f%an%x1f%s", base + "..HEAD");
        for (String line : log.lines().filter(l -> !l.isBlank()).toList()) {
            String[] parts = line.split("\u001f", 3);
            commits.add(new LocalPullRequest.Commit(parts[0], parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : ""));
        }
        String diffStat = git.ok(repo, LocalRunFailure.PULL_REQUEST_FAILED, "could not read the diff", "diff", "--stat", base, "HEAD");
        // read through a bounded buffer: a diff of hundreds of MB never reaches the heap whole
        Git.Result read = git.okBounded(repo, MAX_DIFF_BYTES, LocalRunFailure.PULL_REQUEST_FAILED, "could not read the diff",
                "diff", base, "HEAD");
        String diff = read.truncated() ? read.output() + "\n... (diff truncated at 1 MiB; the branch has it all)\n" : read.output();
        return new PullRequestContent(List.copyOf(commits), diffStat.stripTrailing(), diff);
    }
}
