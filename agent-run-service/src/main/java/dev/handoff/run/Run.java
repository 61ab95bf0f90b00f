package dev.handoff.run;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.handoff.events.AgentContext;
import dev.handoff.events.ErrorInfo;
import dev.handoff.events.EventJson;
import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Usage;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One agent run of a task: its settings, the agent context it was launched with, where it stands, and its history.
 * Status changes go through {@link RunStatus}'s legal moves only; a final run never changes again. Each status the run
 * takes gets the next {@link #statusVersion()} (1 for PENDING), the {@code version} of its RunStatusChanged event.
 * The rule "one active run per task" is kept by {@link TaskRuns} and the {@code runs_one_active_per_task} index.
 */
@Entity
@Table(name = "runs")
public class Run {

    /** Failure recorded when a provider reports FAILED without saying why. */
    public static final ErrorInfo UNKNOWN_FAILURE = new ErrorInfo("agent-failed", "the agent run failed");

    private static final TypeReference<List<HistoryEntry>> HISTORY = new TypeReference<>() {
    };

    @Id
    private UUID id;
    @Column(name = "workspace_id", nullable = false)
    private String workspaceId;
    @Column(name = "task_id", nullable = false)
    private UUID taskId;
    @Column(name = "task_title", nullable = false)
    private String taskTitle;
    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private RunStatus status;
    @Column(nullable = false)
    private String provider;
    @Column(name = "repository_url", nullable = false)
    private String repositoryUrl;
    @Column(nullable = false)
    private String branch;
    @Column(name = "target_branch", nullable = false)
    private String targetBranch;
    /** The target branch the caller asked for (null: the default was computed), reused by a retry. */
    @Column(name = "requested_target_branch")
    private String requestedTargetBranch;
    private String instructions;
    @Column(name = "provider_run_id")
    private String providerRunId;
    @Column(name = "provider_url")
    private String providerUrl;
    @Column(name = "pull_request_url")
    private String pullRequestUrl;
    @Column(name = "pull_request_branch")
    private String pullRequestBranch;
    private String summary;
    @Column(name = "error_code")
    private String errorCode;
    @Column(name = "error_message")
    private String errorMessage;
    @Column(name = "created_at", nullable = false)
    private Instant createdAt;
    @Column(name = "started_at")
    private Instant startedAt;
    @Column(name = "finished_at")
    private Instant finishedAt;
    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;
    @Column(name = "status_version", nullable = false)
    private long statusVersion;
    /** JSON array of {@link HistoryEntry}; replaced as a whole so that Hibernate sees the change. */
    @Column(name = "history", nullable = false)
    private String historyJson;
    /** JSON of the {@link AgentContext} the run was launched with. */
    @Column(name = "context", nullable = false)
    private String contextJson;
    @Column(name = "idempotency_key")
    private String idempotencyKey;
    @Column(name = "request_hash")
    private String requestHash;
    /** The earlier run this one continues on the same branch and pull request (a follow-up), or null. */
    @Column(name = "follow_up_of")
    private UUID followUpOf;
    @Column(name = "usage_duration_ms")
    private Long usageDurationMs;
    @Column(name = "usage_input_tokens")
    private Long usageInputTokens;
    @Column(name = "usage_output_tokens")
    private Long usageOutputTokens;
    @Column(name = "usage_cost_usd")
    private Double usageCostUsd;

    protected Run() {
    }

    /** A new run, PENDING (status version 1). */
    public static Run launch(UUID id, String workspaceId, AgentContext context, Settings settings, String targetBranch,
            String idempotencyKey, String requestHash, Instant now) {
        return launch(id, workspaceId, context, settings, targetBranch, null, idempotencyKey, requestHash, now);
    }

    /** A new run, PENDING; {@code followUpOf} names the earlier run it continues on {@code targetBranch} (or null). */
    public static Run launch(UUID id, String workspaceId, AgentContext context, Settings settings, String targetBranch,
            UUID followUpOf, String idempotencyKey, String requestHash, Instant now) {
        Run run = new Run();
        run.followUpOf = followUpOf;
        run.id = id;
        run.workspaceId = workspaceId;
        run.taskId = context.task().id();
        run.taskTitle = context.task().title();
        run.status = RunStatus.PENDING;
        run.provider = settings.provider();
        run.repositoryUrl = settings.repositoryUrl();
        run.branch = settings.branch();
        run.requestedTargetBranch = settings.targetBranch();
        run.targetBranch = targetBranch;
        run.instructions = settings.instructions();
        run.createdAt = now;
        run.updatedAt = now;
        run.statusVersion = 1;
        run.contextJson = EventJson.toJson(context);
        run.historyJson = EventJson.toJson(List.of(new HistoryEntry(RunStatus.PENDING, now,
                followUpOf == null ? "run requested" : "follow-up of run " + followUpOf + " requested")));
        run.idempotencyKey = idempotencyKey;
        run.requestHash = requestHash;
        return run;
    }

    /**
     * Applies what the provider says. Returns the status moves it caused (none for a duplicate, an out-of-order
     * update or any update of a final run) and whether a pull request appeared for the first time.
     */
    public Outcome apply(ProviderRunUpdated update, Instant now) {
        if (status.isFinal()) {
            return Outcome.NOTHING;
        }
        boolean changed = false;
        if (update.providerRunId() != null && !update.providerRunId().equals(providerRunId)) {
            providerRunId = update.providerRunId();
            changed = true;
        }
        if (update.providerUrl() != null && !update.providerUrl().equals(providerUrl)) {
            providerUrl = update.providerUrl();
            changed = true;
        }
        boolean pullRequestOpened = false;
        if (update.pullRequestUrl() != null && !update.pullRequestUrl().isBlank() && pullRequestUrl == null) {
            pullRequestUrl = update.pullRequestUrl();
            pullRequestBranch = update.branch() != null && !update.branch().isBlank() ? update.branch() : targetBranch;
            pullRequestOpened = true;
            changed = true;
        }
        if (update.summary() != null && !update.summary().equals(summary)) {
            summary = update.summary();
            changed = true;
        }
        if (update.usage() != null && !update.usage().equals(usage())) {
            usageDurationMs = update.usage().durationMs();
            usageInputTokens = update.usage().inputTokens();
            usageOutputTokens = update.usage().outputTokens();
            usageCostUsd = update.usage().costUsd();
            changed = true;
        }
        List<Transition> moves = new ArrayList<>();
        RunStatus target = update.status();
        if (target != null && target != status) {
            String detail = update.providerStatus() != null ? "provider: " + update.providerStatus() : null;
            if (status == RunStatus.PENDING && target == RunStatus.COMPLETED) {
                moves.add(moveTo(RunStatus.RUNNING, detail, null, now));
            }
            if (status.canMoveTo(target)) {
                ErrorInfo error = target == RunStatus.FAILED
                        ? (update.error() != null ? update.error() : UNKNOWN_FAILURE)
                        : null;
                moves.add(moveTo(target, detail, error, now));
            }
        }
        if (changed || !moves.isEmpty()) {
            updatedAt = now;
        }
        return new Outcome(List.copyOf(moves), pullRequestOpened);
    }

    /** The user stops the run; only an active run can be cancelled. */
    public Transition cancel(String detail, Instant now) {
        if (status.isFinal()) {
            throw new IllegalStateException("run " + id + " is " + status + " and cannot be cancelled");
        }
        return moveTo(RunStatus.CANCELLED, detail, null, now);
    }

    private Transition moveTo(RunStatus next, String detail, ErrorInfo error, Instant now) {
        if (!status.canMoveTo(next)) {
            throw new IllegalStateException("illegal move " + status + " -> " + next);
        }
        RunStatus previous = status;
        status = next;
        statusVersion++;
        updatedAt = now;
        if (next == RunStatus.RUNNING && startedAt == null) {
            startedAt = now;
        }
        if (next.isFinal()) {
            finishedAt = now;
        }
        if (error != null) {
            errorCode = error.code();
            errorMessage = error.message();
        }
        List<HistoryEntry> history = new ArrayList<>(history());
        history.add(new HistoryEntry(next, now, detail));
        historyJson = EventJson.toJson(history);
        return new Transition(previous, next, statusVersion, detail, error, now);
    }

    public List<HistoryEntry> history() {
        try {
            return EventJson.mapper().readValue(historyJson, HISTORY);
        } catch (IOException e) {
            throw new UncheckedIOException("history of run " + id + " is unreadable", e);
        }
    }

    public AgentContext context() {
        return EventJson.fromJson(contextJson, AgentContext.class);
    }

    /** The settings a retry repeats. */
    public Settings settings() {
        return new Settings(repositoryUrl, branch, requestedTargetBranch, instructions, provider);
    }

    public boolean sameRequest(String hash) {
        return Objects.equals(requestHash, hash);
    }

    public UUID id() {
        return id;
    }

    public String workspaceId() {
        return workspaceId;
    }

    public UUID taskId() {
        return taskId;
    }

    public String taskTitle() {
        return taskTitle;
    }

    public RunStatus status() {
        return status;
    }

    public String provider() {
        return provider;
    }

    public String repositoryUrl() {
        return repositoryUrl;
    }

    public String branch() {
        return branch;
    }

    public String targetBranch() {
        return targetBranch;
    }

    public String instructions() {
        return instructions;
    }

    public String providerRunId() {
        return providerRunId;
    }

    public String providerUrl() {
        return providerUrl;
    }

    public String pullRequestUrl() {
        return pullRequestUrl;
    }

    public String pullRequestBranch() {
        return pullRequestBranch;
    }

    public String summary() {
        return summary;
    }

    public ErrorInfo error() {
        return errorCode == null ? null : new ErrorInfo(errorCode, errorMessage);
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public Instant finishedAt() {
        return finishedAt;
    }

    public long statusVersion() {
        return statusVersion;
    }

    public UUID followUpOf() {
        return followUpOf;
    }

    /** What the provider reported the run cost; null while it reported nothing. */
    public Usage usage() {
        return usage(usageDurationMs, usageInputTokens, usageOutputTokens, usageCostUsd);
    }

    public static Usage usage(Long durationMs, Long inputTokens, Long outputTokens, Double costUsd) {
        return durationMs == null && inputTokens == null && outputTokens == null && costUsd == null
                ? null : new Usage(durationMs, inputTokens, outputTokens, costUsd);
    }

    /**
     * Whether a follow-up can continue this run's branch: something was pushed to it, which the run knows from its
     * pull request; a follow-up's branch was pushed by the run it continues, whatever became of the follow-up itself.
     */
    public boolean hasBranchToContinue() {
        return pullRequestUrl != null || followUpOf != null;
    }

    /** The branch a follow-up continues: the one the provider reported its work on, else the target branch asked for. */
    public String continuedBranch() {
        return pullRequestBranch != null ? pullRequestBranch : targetBranch;
    }

    /** What a launch asked for; {@code targetBranch} null means "the default". */
    public record Settings(String repositoryUrl, String branch, String targetBranch, String instructions,
            String provider) {
    }

    /** One line of the run's history. */
    public record HistoryEntry(RunStatus status, Instant at, String detail) {
    }

    /** One status move: the {@code version} is the run's status version after the move. */
    public record Transition(RunStatus previousStatus, RunStatus status, long version, String detail, ErrorInfo error,
            Instant at) {
    }

    /** What a provider update did to the run. */
    public record Outcome(List<Transition> moves, boolean pullRequestOpened) {

        static final Outcome NOTHING = new Outcome(List.of(), false);

        public boolean finished() {
            return moves.stream().anyMatch(m -> m.status().isFinal());
        }
    }
}
