package dev.handoff.gateway.service;

import dev.handoff.events.EventJson;
import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunCancelRequested;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Topics;
import dev.handoff.gateway.ProviderRun;
import dev.handoff.gateway.messaging.OutboxRelay;
import dev.handoff.gateway.repository.OutboxRepository;
import dev.handoff.gateway.repository.ProviderRunRepository;
import dev.handoff.outbox.TraceContext;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The runs the gateway launched and what it last told the run service about them. A change is stored together with
 * its {@code ProviderRunUpdated} event (outbox), so no change goes unreported and nothing is reported that was not
 * stored. Finished runs never change again: late, duplicate or out-of-order reports are ignored here. Providers and
 * consumers say what they mean (record a run, claim due runs, request a cancel, apply an update); the table and its
 * transactions stay in here.
 */
@ApplicationScoped
public class RunLedger {

    private final Pool pool;
    private final ProviderRunRepository runs;
    private final OutboxRepository outbox;
    private final OutboxRelay relay;

    public RunLedger(Pool pool, ProviderRunRepository runs, OutboxRepository outbox, OutboxRelay relay) {
        this.pool = pool;
        this.runs = runs;
        this.outbox = outbox;
        this.relay = relay;
    }

    public Uni<Optional<ProviderRun>> find(UUID runId) {
        return runs.find(pool, runId);
    }

    /** Applies the update if the run may take it; answers the run as stored afterwards when something changed. */
    public Uni<Optional<ProviderRun>> apply(UUID runId, RunUpdate update) {
        return pool.withTransaction(db -> apply(db, runId, update))
                .invoke(changed -> changed.ifPresent(run -> relay.kick()));
    }

    /** The same, inside the caller's transaction; the caller kicks the relay after committing. */
    private Uni<Optional<ProviderRun>> apply(SqlClient db, UUID runId, RunUpdate update) {
        return runs.lock(db, runId).chain(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().item(Optional.<ProviderRun>empty());
            }
            ProviderRun current = found.get();
            if (!accepts(current, update)) {
                return Uni.createFrom().item(Optional.<ProviderRun>empty());
            }
            ProviderRun next = merge(current, update);
            if (next.equals(current)) {
                return Uni.createFrom().item(Optional.<ProviderRun>empty());
            }
            return runs.save(db, next)
                    .chain(() -> outbox.enqueue(db, Topics.PROVIDER_RUN_UPDATED, event(next)))
                    .replaceWith(Optional.of(next));
        });
    }

    public void kickRelay() {
        relay.kick();
    }

    // ---- recording a run before anything is launched; each answers false for a redelivered request ----

    /** Records a run that {@code owner} runs itself, holding it for {@code lease} and renewing it while it lives. */
    public Uni<Boolean> recordOwned(RunRequested request, String provider, String owner, Duration lease) {
        TraceContext trace = TraceContext.current();
        return pool.withTransaction(db -> runs.insertIfAbsent(db, request.runId(), request.workspaceId(), provider,
                        request.repositoryUrl(), request.branch(), request.targetBranch(), owner, lease)
                .call(isNew -> isNew ? outbox.rememberTrace(db, request.runId(), trace) : Uni.createFrom().voidItem()));
    }

    /** Records a run with its request, due at once for whichever replica claims it ({@link #claimDue}). */
    public Uni<Boolean> recordDue(RunRequested request, String provider, String targetBranch) {
        TraceContext trace = TraceContext.current();
        return pool.withTransaction(db -> runs.insertToLaunch(db, request.runId(), request.workspaceId(), provider,
                        request.repositoryUrl(), request.branch(), targetBranch, EventJson.toJson(request))
                .call(isNew -> isNew ? outbox.rememberTrace(db, request.runId(), trace) : Uni.createFrom().voidItem()));
    }

    /** Records a run that fails at once (a provider this gateway does not have); a redelivery changes nothing. */
    public Uni<Void> recordFailed(RunRequested request, RunUpdate failure) {
        return pool.withTransaction(db -> runs.insertIfAbsent(db, request.runId(), request.workspaceId(),
                                String.valueOf(request.provider()), request.repositoryUrl(), request.branch(),
                                request.targetBranch(), null, Duration.ZERO)
                        .chain(isNew -> isNew ? apply(db, request.runId(), failure) : Uni.createFrom().nullItem()))
                .invoke(this::kickRelay)
                .replaceWithVoid();
    }

    /**
     * Marks a run as to be cancelled, so that every replica sees it; answers the run whose agent is to be stopped. A
     * cancel that arrives before its launch request is recorded as a cancelled run, so that the launch starts nothing;
     * a cancel of a finished run, or of another workspace's, changes nothing.
     */
    public Uni<Optional<ProviderRun>> requestCancel(RunCancelRequested cancel) {
        return pool.withTransaction(db -> runs.lock(db, cancel.runId()).chain(found -> {
                    if (found.isEmpty()) {
                        return runs.insertIfAbsent(db, cancel.runId(), cancel.workspaceId(), String.valueOf(cancel.provider()),
                                        null, null, null, null, Duration.ZERO)
                                .chain(() -> apply(db, cancel.runId(), RunUpdate.cancelled("CANCELLED")))
                                .replaceWith(Optional.<ProviderRun>empty());
                    }
                    ProviderRun run = found.get();
                    if (!run.workspaceId().equals(cancel.workspaceId()) || run.status().isFinal()) {
                        Log.debugf("cancel of run %s ignored (finished, or another workspace)", cancel.runId());
                        return Uni.createFrom().item(Optional.<ProviderRun>empty());
                    }
                    return runs.requestCancel(db, run.runId()).replaceWith(Optional.of(run));
                }))
                .invoke(this::kickRelay);
    }

    // ---- runs a replica runs itself (leases) ----

    /** Extends {@code owner}'s lease on its runs; answers those among them whose cancellation was asked for. */
    public Uni<List<UUID>> renewLeases(String owner, List<UUID> runIds, Duration lease) {
        return pool.withConnection(db -> runs.renewLeases(db, owner, runIds, lease));
    }

    /** Applies {@code update} to up to {@code limit} unfinished runs of a provider whose owner's lease ran out; answers how many. */
    public Uni<Integer> failAbandoned(String provider, int limit, RunUpdate update) {
        return pool.withTransaction(db -> runs.lockAbandoned(db, provider, limit)
                        .chain(abandoned -> Multi.createFrom().iterable(abandoned)
                                .onItem().transformToUniAndConcatenate(run -> apply(db, run.runId(), update))
                                .collect().asList()))
                .map(List::size)
                .invoke(failed -> {
                    if (failed > 0) {
                        kickRelay();
                    }
                });
    }

    // ---- runs polled by whichever replica claims them ----

    /** Claims up to {@code limit} unfinished runs of a provider that are due and not held by a live replica. */
    public Uni<List<ProviderRun>> claimDue(String provider, String owner, Duration lease, int limit) {
        return pool.withTransaction(db -> runs.claimDue(db, provider, owner, lease, limit));
    }

    /** Releases a claimed run until its next turn, {@code delay} from now, after {@code failures} failed calls in a row. */
    public Uni<Void> scheduleNext(UUID runId, Duration delay, int failures) {
        return pool.withConnection(db -> runs.schedulePoll(db, runId, delay, failures));
    }

    /** What a recorded run asked for, and whether a launch call may already have reached the provider. */
    public record Requested(RunRequested request, boolean launchAttempted) {
    }

    public Uni<Requested> requested(UUID runId) {
        return pool.withConnection(db -> runs.request(db, runId)
                .chain(json -> runs.launchAttempted(db, runId)
                        .map(attempted -> new Requested(EventJson.fromJson(json, RunRequested.class), attempted))));
    }

    /** Noted before the launch call: after a crash from here on, the provider is asked whether the agent exists. */
    public Uni<Void> markLaunchAttempted(UUID runId) {
        return pool.withConnection(db -> runs.markLaunchAttempted(db, runId));
    }

    /** Stores the provider's id, page and status of the run's agent, without reporting anything yet. */
    public Uni<Void> recordAgent(UUID runId, String providerRunId, String providerUrl, String providerStatus) {
        return pool.withConnection(db -> runs.setProviderRun(db, runId, providerRunId, providerUrl, providerStatus));
    }

    // ---- webhooks ----

    /** The newest run of a provider's agent in a workspace (the agent's follow-ups are later runs with its id). */
    public Uni<Optional<ProviderRun>> newestOfAgent(String provider, String workspaceId, String providerRunId) {
        return runs.newestOfAgent(pool, provider, workspaceId, providerRunId);
    }

    /** Notes whether a webhook secret of the run is kept in the secret store (so that it is destroyed later). */
    public Uni<Void> noteWebhookSecret(UUID runId, boolean stored) {
        return pool.withConnection(db -> runs.markWebhookSecret(db, runId, stored));
    }

    /** Finished runs whose webhook secret is still kept, finished longer ago than {@code age}. */
    /** Forgets the requests of up to {@code limit} runs finished longer ago than {@code age}; answers how many. */
    public Uni<Integer> clearOldRequests(Duration age, int limit) {
        return pool.withConnection(db -> runs.clearOldRequests(db, age, limit));
    }

    public Uni<List<ProviderRun>> withStaleWebhookSecrets(Duration age, int limit) {
        return pool.withConnection(db -> runs.withStaleWebhookSecrets(db, age, limit));
    }

    /**
     * Applies a webhook's update once per distinct body: a redelivery (the same body's SHA-256) changes nothing.
     * Answers the run as stored afterwards when something changed.
     */
    public Uni<Optional<ProviderRun>> applyWebhookOnce(UUID runId, String bodySha256, RunUpdate update) {
        return applyWebhookOnce(runId, runId, bodySha256, update);
    }

    /**
     * The same for a webhook received at {@code deliveryRunId}'s URL that reports on {@code targetRunId} (a follow-up
     * on the same agent): redeliveries are recognised per URL, so a late copy of an earlier run's webhook is not taken
     * for the follow-up's.
     */
    public Uni<Optional<ProviderRun>> applyWebhookOnce(UUID deliveryRunId, UUID targetRunId, String bodySha256,
            RunUpdate update) {
        return pool.withTransaction(db -> db.preparedQuery("""
                                insert into webhook_delivery (run_id, body_sha256, received_at) values ($1, $2, now())
                                on conflict do nothing""")
                        .execute(Tuple.of(deliveryRunId, bodySha256))
                        .chain(rows -> rows.rowCount() == 0
                                ? Uni.createFrom().item(Optional.<ProviderRun>empty())
                                : apply(db, targetRunId, update)))
                .invoke(changed -> changed.ifPresent(run -> kickRelay()));
    }

    /**
     * The legal moves of the contract, plus two that the run service resolves itself: PENDING -> COMPLETED (it records
     * RUNNING first) and RUNNING -> RUNNING with news (a provider id or URL learned later).
     */
    static boolean accepts(ProviderRun current, RunUpdate update) {
        RunStatus from = current.status();
        RunStatus to = update.status();
        if (from.isFinal()) {
            return false;
        }
        if (from == to) {
            return to == RunStatus.RUNNING;
        }
        return from.canMoveTo(to) || (from == RunStatus.PENDING && to == RunStatus.COMPLETED);
    }

    private static ProviderRun merge(ProviderRun run, RunUpdate update) {
        return new ProviderRun(run.runId(), run.workspaceId(), run.provider(), update.status(),
                or(update.providerStatus(), run.providerStatus()), or(update.providerRunId(), run.providerRunId()),
                or(update.providerUrl(), run.providerUrl()), run.repositoryUrl(), run.branch(),
                or(update.branch(), run.targetBranch()), or(update.pullRequestUrl(), run.pullRequestUrl()),
                or(update.summary(), run.summary()), update.error() != null ? update.error() : run.error(),
                run.cancelRequested(), run.owner(), run.leaseUntil(), run.nextPollAt(), run.pollFailures(),
                or(update.usage(), run.usage()), or(update.agentSession(), run.agentSession()));
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    static ProviderRunUpdated event(ProviderRun run) {
        return new ProviderRunUpdated(UUID.randomUUID(), Instant.now(), run.workspaceId(), run.runId(), run.provider(),
                run.providerRunId(), run.providerUrl(), run.providerStatus(), run.status(),
                run.pullRequestUrl(), run.targetBranch(), run.summary(), run.error(), run.usage());
    }

}
