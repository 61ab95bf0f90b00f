package dev.handoff.gateway.service;

import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Topics;
import dev.handoff.gateway.ProviderRun;
import dev.handoff.gateway.messaging.OutboxRelay;
import dev.handoff.gateway.repository.OutboxRepository;
import dev.handoff.gateway.repository.ProviderRunRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The runs the gateway launched and what it last told the run service about them. A change is stored together with
 * its {@code ProviderRunUpdated} event (outbox), so no change goes unreported and nothing is reported that was not
 * stored. Finished runs never change again: late, duplicate or out-of-order reports are ignored here.
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

    public Pool pool() {
        return pool;
    }

    public ProviderRunRepository runs() {
        return runs;
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
    public Uni<Optional<ProviderRun>> apply(SqlClient db, UUID runId, RunUpdate update) {
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
                run.cancelRequested(), run.owner(), run.leaseUntil(), run.nextPollAt(), run.pollFailures());
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    static ProviderRunUpdated event(ProviderRun run) {
        return new ProviderRunUpdated(UUID.randomUUID(), Instant.now(), run.workspaceId(), run.runId(), run.provider(),
                run.providerRunId(), run.providerUrl(), run.providerStatus(), run.status(),
                run.pullRequestUrl(), run.targetBranch(), run.summary(), run.error());
    }

}
