package dev.handoff.gateway.cursor;

import dev.handoff.gateway.AgentConfig;
import dev.handoff.gateway.ProviderRun;
import dev.handoff.gateway.cursor.CursorAgents.Keyed;
import dev.handoff.gateway.cursor.CursorAgents.Next;
import dev.handoff.gateway.provider.RunActivity;
import dev.handoff.gateway.service.AgentConfigService;
import dev.handoff.gateway.service.RunLedger;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Works on the Cursor runs that are due, on any replica: claims a batch (row lock with SKIP LOCKED plus a lease, safe
 * with several replicas), launches or polls each (in the API {@code HANDOFF_CURSOR_API} names), and schedules its next turn ({@code HANDOFF_CURSOR_POLL_INTERVAL},
 * longer while Cursor answers 429 or 5xx). After a restart every unfinished run is simply due again. Each poll also
 * reads the agent's conversation and publishes its new messages as the run's activity (once each, across restarts);
 * in API v1 a turn reads the run's event stream instead ({@link CursorAgentsV1}).
 */
@ApplicationScoped
class CursorPoller {

    static final String AGENTS_NOT_CONFIGURED = "agents-not-configured";
    static final String AGENTS_DISABLED = "agents-disabled";
    private static final int CLAIM_BATCH = 20;
    private static final int PARALLEL_CALLS = 8;
    private static final String ASSISTANT_MESSAGE = "assistant_message";

    private final RunLedger ledger;
    private final AgentConfigService configs;
    private final CursorAgents agents;
    private final CursorRuns runs;
    private final CursorConfig cursor;
    private final CursorApi api;
    private final RunActivity activity;
    private final String owner = "cursor-" + UUID.randomUUID();
    private final AtomicBoolean ticking = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public CursorPoller(RunLedger ledger, AgentConfigService configs, CursorAgents agents, CursorAgentsV1 agentsV1,
            CursorConfig cursor, CursorApi api, RunActivity activity) {
        this.api = api;
        this.activity = activity;
        this.ledger = ledger;
        this.configs = configs;
        this.agents = agents;
        this.runs = cursor.api() == CursorConfig.Api.V1 ? agentsV1 : agents;
        this.cursor = cursor;
    }

    /** Processes the runs that are due, right away. */
    void kick() {
        tickNow().subscribe().with(nothing -> { }, failure -> Log.warnf("Cursor poller: %s", failure.toString()));
    }

    @Scheduled(every = "${handoff.cursor.tick:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> onTimer() {
        return tickNow().onFailure().recoverWithItem(failure -> {
            Log.warnf("Cursor poller: %s", failure.toString());
            return null;
        });
    }

    private Uni<Void> tickNow() {
        if (!ticking.compareAndSet(false, true)) {
            again.set(true);
            return Uni.createFrom().voidItem();
        }
        again.set(false);
        return processDueRuns()
                .eventually(() -> ticking.set(false))
                .chain(() -> again.getAndSet(false) ? tickNow() : Uni.createFrom().voidItem());
    }

    /** Claims a batch of due runs and works on up to {@link #PARALLEL_CALLS} at once; goes on while batches are full. */
    private Uni<Void> processDueRuns() {
        return ledger.claimDue(CursorProvider.NAME, owner, cursor.lease(), CLAIM_BATCH)
                .chain(claimed -> Multi.createFrom().iterable(claimed)
                        .onItem().transformToUni(this::processSafely).merge(PARALLEL_CALLS)
                        .collect().last()
                        .chain(() -> claimed.size() == CLAIM_BATCH ? processDueRuns() : Uni.createFrom().voidItem()));
    }

    /** One claimed run: launch it or poll it, then schedule its next turn (unless it finished). */
    private Uni<Void> processSafely(ProviderRun run) {
        return process(run)
                .onFailure().recoverWithItem(failure -> {
                    Log.warnf("Cursor run %s: %s; backing off", run.runId(), failure.getClass().getSimpleName());
                    return agents.backoff(run, null);
                })
                .chain(next -> next == null ? Uni.createFrom().voidItem()
                        : ledger.scheduleNext(run.runId(), next.delay(), next.failures()));
    }

    private Uni<Next> process(ProviderRun run) {
        if (run.cancelRequested()) {
            return runs.cancel(run).replaceWith((Next) null);
        }
        return workspaceKey(run).chain(key -> {
            if (key.isEmpty()) {
                return Uni.createFrom().item((Next) null);
            }
            if (run.providerRunId() == null) {
                return runs.launch(run, key.get());
            }
            if (runs != agents) {
                // API v1: status and activity come from the run's event stream together
                return runs.poll(run, key.get());
            }
            // after a status read Cursor answered (the last one of a finished run included), not while it throttles us
            return agents.poll(run, key.get())
                    .call(next -> next == null || next.failures() == 0 ? conversation(run, key.get()) : Uni.createFrom().voidItem());
        });
    }

    /**
     * {@code GET /v0/agents/{id}/conversation}: the agent's messages not published yet become {@code message} entries.
     * The prompts Handoff sent ({@code user_message}) are not the agent's words and are left out. A failure here only
     * costs this turn's messages (the next poll reads them again); it never holds up the run's status.
     */
    private Uni<Void> conversation(ProviderRun run, Keyed keyed) {
        return api.conversation(keyed.key(), run.providerRunId())
                .chain(answer -> {
                    if (!answer.ok() || answer.body() == null || answer.body().messages() == null) {
                        Log.debugf("Cursor answered HTTP %d to reading the conversation of run %s", answer.status(), run.runId());
                        return Uni.createFrom().voidItem();
                    }
                    List<RunActivity.Message> said = answer.body().messages().stream()
                            .filter(message -> message != null && ASSISTANT_MESSAGE.equals(message.type()))
                            .map(message -> new RunActivity.Message(message.id(), message.text()))
                            .toList();
                    if (said.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    return ledger.requested(run.runId())
                            .chain(requested -> activity.messagesOnce(requested.request(), said))
                            .replaceWithVoid();
                })
                .onFailure().recoverWithItem(failure -> {
                    Log.warnf("Cursor run %s: reading its conversation failed: %s", run.runId(), failure.getClass().getSimpleName());
                    return null;
                });
    }

    /** The workspace's Cursor key and model; a run whose workspace has none is failed here (empty answer). */
    private Uni<Optional<Keyed>> workspaceKey(ProviderRun run) {
        return configs.find(run.workspaceId()).chain(found -> {
            Optional<AgentConfig> cursorConfig = found.filter(c -> CursorProvider.NAME.equals(c.provider()));
            if (cursorConfig.isEmpty()) {
                return failed(run, AGENTS_NOT_CONFIGURED,
                        "the workspace has no Cursor configuration; an admin sets one with PUT /api/agent-config");
            }
            if (!cursorConfig.get().enabled() && run.providerRunId() == null) {
                return failed(run, AGENTS_DISABLED, "agents are disabled for this workspace");
            }
            return configs.apiKey(run.workspaceId()).chain(key -> key.isEmpty()
                    ? failed(run, AGENTS_NOT_CONFIGURED, "the workspace's Cursor API key is missing; an admin sets it again")
                    : Uni.createFrom().item(Optional.of(new Keyed(key.get(), cursorConfig.get().model()))));
        });
    }

    private Uni<Optional<Keyed>> failed(ProviderRun run, String code, String message) {
        return agents.fail(run, "CONFIG", code, message).replaceWith(Optional.<Keyed>empty());
    }
}
