package dev.handoff.run.mapping;

import dev.handoff.events.AgentContext;
import dev.handoff.events.FollowUp;
import dev.handoff.events.PullRequestOpened;
import dev.handoff.events.RunCancelRequested;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.run.Run;
import dev.handoff.run.rest.RunView;
import java.time.Instant;
import java.util.UUID;

/** A run as the API shows it, and the events that report what happened to it. */
public final class RunMapper {

    public static RunView toView(Run run) {
        return new RunView(run.id(), run.taskId(), run.status(), run.provider(), run.repositoryUrl(), run.branch(),
                run.targetBranch(), run.instructions(), run.providerRunId(), run.providerUrl(),
                run.pullRequestUrl() == null ? null : new RunView.PullRequest(run.pullRequestUrl(), run.pullRequestBranch()),
                run.summary(), run.error(), run.createdAt(), run.startedAt(), run.finishedAt(),
                run.history().stream().map(h -> new RunView.HistoryEntry(h.status(), h.at(), h.detail())).toList(),
                run.followUpOf(), run.usage());
    }

    /** {@code followUp} is the earlier run a follow-up continues; null for a first run. */
    public static RunRequested runRequested(Run run, AgentContext context, FollowUp followUp) {
        return new RunRequested(UUID.randomUUID(), run.createdAt(), run.workspaceId(), run.id(), run.taskId(),
                run.provider(), run.repositoryUrl(), run.branch(), run.targetBranch(), run.instructions(), context,
                followUp);
    }

    /** The first status of a run: PENDING, version 1, no previous status. */
    public static RunStatusChanged created(Run run) {
        return new RunStatusChanged(UUID.randomUUID(), run.createdAt(), run.workspaceId(), run.id(), run.taskId(),
                null, RunStatus.PENDING, 1, run.history().get(0).detail(), null);
    }

    public static RunStatusChanged statusChanged(Run run, Run.Transition move) {
        return new RunStatusChanged(UUID.randomUUID(), move.at(), run.workspaceId(), run.id(), run.taskId(),
                move.previousStatus(), move.status(), move.version(), move.detail(), move.error());
    }

    /** The title is the task's: what a reader of notifications recognises. */
    public static PullRequestOpened pullRequestOpened(Run run, Instant at) {
        return new PullRequestOpened(UUID.randomUUID(), at, run.workspaceId(), run.id(), run.taskId(),
                run.pullRequestUrl(), run.pullRequestBranch(), run.taskTitle());
    }

    public static RunCancelRequested cancelRequested(Run run, Instant at) {
        return new RunCancelRequested(UUID.randomUUID(), at, run.workspaceId(), run.id(), run.provider(),
                run.providerRunId());
    }

    private RunMapper() {
    }
}
