package dev.handoff.run.service;

import dev.handoff.events.AgentContext;
import dev.handoff.events.EventJson;
import dev.handoff.events.ErrorInfo;
import dev.handoff.events.FollowUp;
import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunStatus;
import dev.handoff.idempotency.ProcessedEvents;
import dev.handoff.run.Run;
import dev.handoff.run.TaskRuns;
import dev.handoff.run.client.AgentConfig;
import dev.handoff.run.client.GatewayProviders;
import dev.handoff.run.client.ProviderGatewayClient;
import dev.handoff.run.client.TaskServiceClient;
import dev.handoff.run.mapping.RunMapper;
import dev.handoff.run.messaging.Outbox;
import dev.handoff.run.messaging.OutboxRelay;
import dev.handoff.run.repository.RunListRow;
import dev.handoff.run.repository.RunPosition;
import dev.handoff.run.repository.RunRepository;
import dev.handoff.run.repository.TaskRunsRepository;
import dev.handoff.web.Failures;
import dev.handoff.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.tuples.Tuple2;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The run use cases: launch (one active run per task, the workspace cap, idempotency), cancel, retry, the
 * history, and applying the provider's updates. Every state change commits together with its outbox events.
 */
@ApplicationScoped
public class RunService {

    /** {@code error.code} of a run one of whose events the broker refuses for good. */
    public static final String EVENT_NOT_PUBLISHABLE = "event-not-publishable";

    private final RunRepository runs;
    private final TaskRunsRepository taskRuns;
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final TaskServiceClient tasks;
    private final ProviderGatewayClient gateway;
    private final GatewayProviders providers;
    private final RunsConfig config;
    private final RunMetrics metrics;

    public RunService(RunRepository runs, TaskRunsRepository taskRuns, Outbox outbox, OutboxRelay relay,
            TaskServiceClient tasks, ProviderGatewayClient gateway, GatewayProviders providers, RunsConfig config,
            RunMetrics metrics) {
        this.metrics = metrics;
        this.runs = runs;
        this.taskRuns = taskRuns;
        this.outbox = outbox;
        this.relay = relay;
        this.tasks = tasks;
        this.gateway = gateway;
        this.providers = providers;
        this.config = config;
    }

    /** A launch's answer: the run, and whether it is an earlier launch answered again for its Idempotency-Key. */
    public record Launched(Run run, boolean replayed) {
    }

    public Uni<Launched> launch(String workspace, String bearerToken, UUID taskId, Run.Settings requested,
            String idempotencyKey) {
        return Uni.createFrom().deferred(() -> LaunchValidation.validate(requested, providers, bearerToken).chain(() -> {
            LaunchValidation.validateIdempotencyKey(idempotencyKey);
            if (idempotencyKey == null) {
                return start(workspace, bearerToken, taskId, requested, null, null);
            }
            String hash = RequestHash.of(taskId, requested);
            return Panache.withSession(() -> runs.findByIdempotencyKey(workspace, idempotencyKey))
                    .chain(earlier -> earlier != null
                            ? Uni.createFrom().item(replay(earlier, hash))
                            : start(workspace, bearerToken, taskId, requested, idempotencyKey, hash));
        }));
    }

    /** A new run for the task of {@code runId}, with its settings and a freshly fetched context. */
    public Uni<Launched> retry(String workspace, String bearerToken, UUID runId) {
        return Panache.withSession(() -> runs.findInWorkspace(runId, workspace))
                .chain(source -> {
                    if (source == null) {
                        throw ProblemException.notFound("run " + runId);
                    }
                    if (source.status().isActive()) {
                        throw runAlreadyActive(source.taskId(), source.id());
                    }
                    if (source.followUpOf() != null) {
                        // a follow-up's retry repeats the follow-up on its branch (a fresh run would need a new branch
                        // and would lose the pull request): the same rules as POST /api/runs/{id}/followups apply
                        return continueRun(workspace, bearerToken, source, source.instructions(), null, null);
                    }
                    return start(workspace, bearerToken, source.taskId(), source.settings(), null, null);
                });
    }

    /**
     * A follow-up of {@code runId}: a new run of its task that continues its branch and pull request with new
     * instructions. Refused with 409 {@code run-already-active} while the task has an active run and 409
     * {@code run-not-followable} when the run is not the task's latest or has no branch to continue. An
     * Idempotency-Key works as for launches.
     */
    public Uni<Launched> followUp(String workspace, String bearerToken, UUID runId, String instructions,
            String idempotencyKey) {
        return Uni.createFrom().deferred(() -> {
            LaunchValidation.validateFollowUpInstructions(instructions);
            LaunchValidation.validateIdempotencyKey(idempotencyKey);
            String hash = idempotencyKey == null ? null : RequestHash.ofFollowUp(runId, instructions);
            Uni<Run> earlier = idempotencyKey == null ? Uni.createFrom().nullItem()
                    : Panache.withSession(() -> runs.findByIdempotencyKey(workspace, idempotencyKey));
            return earlier.chain(replayed -> {
                if (replayed != null) {
                    return Uni.createFrom().item(replay(replayed, hash));
                }
                return Panache.withSession(() -> runs.findInWorkspace(runId, workspace))
                        .chain(source -> {
                            if (source == null) {
                                throw ProblemException.notFound("run " + runId);
                            }
                            return continueRun(workspace, bearerToken, source, instructions, idempotencyKey, hash);
                        });
            });
        });
    }

    /** Checks that {@code source} can be continued (cheaply, before asking the other services), then launches. */
    private Uni<Launched> continueRun(String workspace, String bearerToken, Run source, String instructions,
            String idempotencyKey, String hash) {
        return Panache.withSession(() -> continuation(source.id())).chain(checked -> {
            Run.Settings settings = new Run.Settings(source.repositoryUrl(), source.branch(), source.continuedBranch(),
                    instructions, source.provider());
            return start(workspace, bearerToken, source.taskId(), settings, idempotencyKey, hash, source.id());
        });
    }

    /**
     * What a follow-up of run {@code sourceId} continues, read in the caller's session: refused while the task has an
     * active run, when the run is not the task's latest, or when nothing was ever pushed to its branch. A follow-up
     * that failed still continues the branch its chain pushed: the pull request, agent and summary then come from
     * the newest run of the chain that reported them.
     */
    private Uni<FollowUp> continuation(UUID sourceId) {
        return runs.findById(sourceId).chain(source -> runs.activeOfTask(source.taskId())
                .chain(active -> {
                    if (active != null) {
                        throw runAlreadyActive(source.taskId(), active.id());
                    }
                    return runs.latestOfTask(source.taskId());
                })
                .chain(latest -> {
                    if (latest != null && !latest.id().equals(source.id())) {
                        throw notFollowable(source, "it is not the latest run of its task; follow up on run "
                                + latest.id() + " instead", Map.of("latestRunId", latest.id().toString()));
                    }
                    if (!source.hasBranchToContinue()) {
                        throw notFollowable(source, "it ended (" + source.status() + ") before anything was pushed,"
                                + " so it has no branch to continue; retry it instead", Map.of());
                    }
                    if (source.pullRequestUrl() != null) {
                        return Uni.createFrom().item(followUpOf(source, source));
                    }
                    return runs.withPullRequestOn(source.taskId(), source.continuedBranch())
                            .map(shared -> followUpOf(source, shared));
                }));
    }

    private static FollowUp followUpOf(Run source, Run shared) {
        if (shared == null) {
            return new FollowUp(source.id(), source.providerRunId(), source.continuedBranch(), null, source.summary());
        }
        return new FollowUp(source.id(), source.providerRunId() != null ? source.providerRunId() : shared.providerRunId(),
                source.continuedBranch(), shared.pullRequestUrl(),
                source.summary() != null ? source.summary() : shared.summary());
    }

    private static ProblemException notFollowable(Run source, String why, Map<String, Object> extra) {
        return ProblemException.conflict("run-not-followable", "run " + source.id() + " cannot be followed up: " + why,
                extra);
    }

    public Uni<Run> cancel(String workspace, String userId, UUID runId) {
        Instant now = now();
        return Panache.withTransaction(() -> runs.lockInWorkspace(runId, workspace)
                .chain(run -> {
                    if (run == null) {
                        throw ProblemException.notFound("run " + runId);
                    }
                    if (run.status().isFinal()) {
                        throw ProblemException.conflict("run-not-cancellable",
                                "run " + runId + " is " + run.status() + " and can no longer be cancelled",
                                Map.of("status", run.status().name()));
                    }
                    Run.Transition move = run.cancel(userId == null ? "cancelled" : "cancelled by " + userId, now);
                    return release(run)
                            .chain(() -> outbox.append(RunMapper.statusChanged(run, move)))
                            .chain(() -> outbox.append(RunMapper.cancelRequested(run, now)))
                            .replaceWith(run);
                }))
                .invoke(run -> {
                    relay.kick();
                    metrics.finished(run);
                });
    }

    public Uni<Run> get(String workspace, UUID runId) {
        return Panache.withSession(() -> runs.findInWorkspace(runId, workspace))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("run " + runId));
    }

    /** One page of a newest-first list of runs; {@code next} is where the following page starts, null on the last. */
    public record Page(List<RunListRow> rows, RunPosition next) {

        /** The page of {@code limit} rows from rows read with one more: the extra row only says that more exist. */
        static Page of(List<RunListRow> rowsPlusOne, int limit) {
            boolean more = rowsPlusOne.size() > limit;
            List<RunListRow> rows = more ? rowsPlusOne.subList(0, limit) : rowsPlusOne;
            return new Page(rows, more ? rows.get(rows.size() - 1).position() : null);
        }
    }

    /** A page of the task's runs, newest first, without their agent context. */
    public Uni<Page> ofTask(String workspace, UUID taskId, int limit, RunPosition after) {
        return Panache.withSession(() -> runs.pageOfTask(workspace, taskId, after, limit + 1))
                .map(rows -> Page.of(rows, limit));
    }

    /** A page of this workspace's runs in {@code status} (all of them when it is null), newest first. */
    public Uni<Page> inStatus(String workspace, RunStatus status, int limit, RunPosition after) {
        return Panache.withSession(() -> runs.pageOfWorkspace(workspace, status, after, limit + 1))
                .map(rows -> Page.of(rows, limit));
    }

    /**
     * Applies a provider update through the state machine, once per {@code eventId}. Answers whether anything was
     * published (a status move or a pull request). Unknown runs are ignored.
     */
    public Uni<Boolean> applyProviderUpdate(ProviderRunUpdated update) {
        Instant now = now();
        List<Run> finished = new ArrayList<>(1);
        return Panache.withTransaction(() -> runs.lock(update.runId()).chain(run -> {
            if (run == null) {
                Log.debugf("provider update %s for unknown run %s ignored", update.eventId(), update.runId());
                return Uni.createFrom().item(false);
            }
            if (update.workspaceId() != null && !update.workspaceId().equals(run.workspaceId())) {
                Log.debugf("provider update %s names another workspace than run %s: ignored", update.eventId(),
                        run.id());
                return Uni.createFrom().item(false);
            }
            // the run's row lock orders concurrent deliveries; the claim tells the first from a redelivery
            return Panache.getSession().chain(session -> ProcessedEvents.claim(session, update.eventId()))
                    .chain(first -> {
                        if (!first) {
                            Log.debugf("provider update %s already applied", update.eventId());
                            return Uni.createFrom().item(false);
                        }
                        return applyTo(run, update, now, finished);
                    });
        })).invoke(() -> finished.forEach(metrics::finished));
    }

    /**
     * One of the run's events can never be published (the outbox relay parked it): the run fails with
     * {@code event-not-publishable} instead of waiting for good, and its task is released. Once per parked event
     * (the failure is applied as an update with an id derived from it); answers whether the run moved.
     */
    public Uni<Boolean> failUnpublishable(UUID runId, UUID parkedEventId, String eventType) {
        UUID eventId = UUID.nameUUIDFromBytes(("event-not-publishable:" + parkedEventId)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ProviderRunUpdated failure = new ProviderRunUpdated(eventId, now(), null, runId, null, null, null, null,
                RunStatus.FAILED, null, null, null, new ErrorInfo(EVENT_NOT_PUBLISHABLE,
                        "the run's " + eventType + " event cannot be published (too large or malformed)"));
        return applyProviderUpdate(failure).invoke(published -> {
            if (published) {
                relay.kick();
            }
        });
    }

    /** {@code finished} gets the run when this update finishes it (counted by the caller once committed). */
    private Uni<Boolean> applyTo(Run run, ProviderRunUpdated update, Instant now, List<Run> finished) {
        Run.Outcome outcome = run.apply(update, now);
        Uni<Void> done = Uni.createFrom().voidItem();
        if (outcome.finished()) {
            finished.add(run);
            done = done.chain(() -> release(run));
        }
        boolean pullRequestPending = outcome.pullRequestOpened();
        for (Run.Transition move : outcome.moves()) {
            // the pull request is announced before the final status, the order in which it happened
            if (pullRequestPending && move.status().isFinal()) {
                done = done.chain(() -> outbox.append(RunMapper.pullRequestOpened(run, now)));
                pullRequestPending = false;
            }
            done = done.chain(() -> outbox.append(RunMapper.statusChanged(run, move)));
        }
        if (pullRequestPending) {
            done = done.chain(() -> outbox.append(RunMapper.pullRequestOpened(run, now)));
        }
        boolean published = !outcome.moves().isEmpty() || outcome.pullRequestOpened();
        return done.replaceWith(published);
    }

    // ---- launch ----

    private Uni<Launched> start(String workspace, String bearerToken, UUID taskId, Run.Settings requested,
            String idempotencyKey, String hash) {
        return start(workspace, bearerToken, taskId, requested, idempotencyKey, hash, null);
    }

    /** {@code followUpOf}: the run a follow-up continues (its branch is {@code requested.targetBranch()}), or null. */
    private Uni<Launched> start(String workspace, String bearerToken, UUID taskId, Run.Settings requested,
            String idempotencyKey, String hash, UUID followUpOf) {
        Context caller = Vertx.currentContext();
        Uni<Tuple2<Optional<AgentContext>, Optional<AgentConfig>>> fetched = Uni.combine().all()
                .unis(tasks.agentContext(taskId, bearerToken), gateway.agentConfig(bearerToken)).asTuple()
                .onFailure().transform(RunService::unavailable);
        if (caller != null) {
            // client and fault-tolerance callbacks may complete elsewhere; the session belongs to the caller's context
            fetched = fetched.emitOn(command -> caller.runOnContext(ignored -> command.run()));
        }
        return fetched
                .chain(both -> {
                    AgentContext context = both.getItem1()
                            .orElseThrow(() -> ProblemException.notFound("task " + taskId));
                    if (context.task() == null || !taskId.equals(context.task().id())) {
                        throw unavailable(new IllegalStateException("task-service answered another task's context"));
                    }
                    refuseIfTooLarge(context);
                    String provider = LaunchValidation.provider(requested, both.getItem2(), providers.learn(both.getItem2()));
                    Run.Settings settings = new Run.Settings(requested.repositoryUrl(), requested.branch(),
                            requested.targetBranch(), requested.instructions(), provider);
                    return create(new Launch(workspace, UUID.randomUUID(), context, settings, idempotencyKey, hash,
                            followUpOf), 1);
                })
                .invoke(launched -> {
                    relay.kick();
                    metrics.launched(launched);
                });
    }

    /**
     * The agent context (task + brief, as JSON) travels whole in RunRequested, whose topic takes at most 4 MiB: one
     * over {@code handoff.runs.max-context-bytes} is refused before anything is created.
     */
    private void refuseIfTooLarge(AgentContext context) {
        long size = EventJson.toJson(context).getBytes(StandardCharsets.UTF_8).length;
        if (size > config.maxContextBytes()) {
            throw new ProblemException(422, "context-too-large", "Agent context too large",
                    "the task and its brief make an agent context of " + size + " bytes, more than the "
                            + config.maxContextBytes() + " bytes a run can carry; shorten the brief or the task",
                    Map.of("contextBytes", size, "maxContextBytes", config.maxContextBytes()), Map.of());
        }
    }

    private record Launch(String workspace, UUID runId, AgentContext context, Run.Settings settings,
            String idempotencyKey, String hash, UUID followUpOf) {

        UUID taskId() {
            return context.task().id();
        }
    }

    private Uni<Launched> create(Launch launch, int attemptsLeft) {
        return Panache.withTransaction(() -> createInTransaction(launch))
                .map(run -> new Launched(run, false))
                .onFailure(Conflicts::isLostLaunchRace).recoverWithUni(lost -> {
                    Log.debugf("launch on task %s lost to a concurrent one: %s", launch.taskId(), lost.toString());
                    return afterLostRace(launch, attemptsLeft);
                });
    }

    private Uni<Run> createInTransaction(Launch launch) {
        String workspace = launch.workspace();
        UUID taskId = launch.taskId();
        return taskRuns.findById(taskId).chain(existing -> {
            if (existing != null && !existing.workspaceId().equals(workspace)) {
                throw ProblemException.notFound("task " + taskId);
            }
            TaskRuns aggregate = existing != null ? existing : TaskRuns.of(taskId, workspace);
            // a follow-up is checked again here, where the task's row is claimed: nothing can start in between
            Uni<FollowUp> continued = launch.followUpOf() == null ? Uni.createFrom().nullItem()
                    : continuation(launch.followUpOf());
            return refuseIfActive(aggregate).chain(() -> continued).chain(followUp -> {
                Instant now = now();
                String target = launch.settings().targetBranch() != null
                        ? launch.settings().targetBranch()
                        : TargetBranches.defaultFor(launch.context().task().title(), launch.runId());
                Run run = Run.launch(launch.runId(), workspace, launch.context(), launch.settings(), target,
                        launch.followUpOf(), launch.idempotencyKey(), launch.hash(), now);
                aggregate.claim(run.id());
                Uni<?> claimed = existing == null ? taskRuns.persist(aggregate) : Uni.createFrom().voidItem();
                return claimed
                        // the race is decided here: the version check (or the insert of the task's row)
                        .chain(() -> taskRuns.flush())
                        .chain(() -> runs.persist(run))
                        .chain(() -> outbox.append(RunMapper.runRequested(run, launch.context(), followUp)))
                        .chain(() -> outbox.append(RunMapper.created(run)))
                        .chain(() -> runs.flush())
                        // the workspace's limit last: its lock serialises the workspace's launches, so it is held
                        // only for the count and the commit (the count includes this run, flushed above)
                        .chain(() -> runs.lockWorkspaceLaunchesAndCountActive(workspace))
                        .map(active -> {
                            if (active > config.maxActiveRuns()) {
                                throw concurrencyLimit(active - 1);
                            }
                            return run;
                        });
            });
        });
    }

    /** The task's active run wins; a stale pointer to a run that is no longer active is cleared. */
    private Uni<Void> refuseIfActive(TaskRuns aggregate) {
        if (aggregate.activeRun().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        UUID activeId = aggregate.activeRun().get();
        return runs.findById(activeId).map(active -> {
            if (active != null && active.status().isActive()) {
                throw runAlreadyActive(aggregate.taskId(), activeId);
            }
            Log.warnf("task %s named %s as its active run, which is not active: released", aggregate.taskId(), activeId);
            aggregate.release(activeId);
            return null;
        });
    }

    /**
     * Another launch committed first. In a new session: the same Idempotency-Key answers that run; otherwise the
     * task's active run is named in the 409. If it finished in between, the launch is tried once more.
     */
    private Uni<Launched> afterLostRace(Launch launch, int attemptsLeft) {
        return Panache.withSession(() -> {
            Uni<Run> sameKey = launch.idempotencyKey() == null
                    ? Uni.createFrom().nullItem()
                    : runs.findByIdempotencyKey(launch.workspace(), launch.idempotencyKey());
            return sameKey.chain(earlier -> {
                if (earlier != null) {
                    return Uni.createFrom().item(replay(earlier, launch.hash()));
                }
                return runs.activeOfTask(launch.taskId()).map(active -> {
                    if (active != null) {
                        throw runAlreadyActive(launch.taskId(), active.id());
                    }
                    return (Launched) null;
                });
            });
        }).chain(answer -> {
            if (answer != null) {
                return Uni.createFrom().item(answer);
            }
            if (attemptsLeft > 0) {
                return create(launch, attemptsLeft - 1);
            }
            throw ProblemException.conflict("run-already-active", "another launch on this task is in progress",
                    new HashMap<>());
        });
    }

    private static Launched replay(Run earlier, String hash) {
        if (!earlier.sameRequest(hash)) {
            throw ProblemException.unprocessable("idempotency-key-reused",
                    "this Idempotency-Key was used for another request");
        }
        return new Launched(earlier, true);
    }

    private Uni<Void> release(Run run) {
        return taskRuns.findById(run.taskId()).invoke(aggregate -> {
            if (aggregate != null) {
                aggregate.release(run.id());
            }
        }).replaceWithVoid();
    }

    static ProblemException runAlreadyActive(UUID taskId, UUID activeRunId) {
        return ProblemException.conflict("run-already-active",
                "task " + taskId + " already has an active run: " + activeRunId,
                Map.of("activeRunId", activeRunId.toString()));
    }

    private ProblemException concurrencyLimit(long active) {
        return new ProblemException(429, "concurrency-limit", "Too many active runs",
                "this workspace already has " + active + " active runs (at most " + config.maxActiveRuns() + ")",
                Map.of("maxActiveRuns", config.maxActiveRuns()),
                Map.of("Retry-After", String.valueOf(config.retryAfterSeconds())));
    }

    private static RuntimeException unavailable(Throwable failure) {
        Throwable cause = Failures.unwrap(failure);
        if (cause instanceof ProblemException problem) {
            return problem;
        }
        Log.warnf("a downstream service failed during a launch: %s", cause.toString());
        return new ProblemException(503, "provider-unavailable", "Service unavailable",
                "the task service or the provider gateway is not answering; try again shortly", Map.of(),
                Map.of("Retry-After", "5"));
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
