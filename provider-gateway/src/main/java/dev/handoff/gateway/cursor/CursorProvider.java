package dev.handoff.gateway.cursor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.EventJson;
import dev.handoff.events.RunRequested;
import dev.handoff.gateway.AgentConfig;
import dev.handoff.gateway.GatewayConfig;
import dev.handoff.gateway.ProviderRun;
import dev.handoff.gateway.Providers;
import dev.handoff.gateway.prompt.AgentPrompt;
import dev.handoff.gateway.secrets.SecretNames;
import dev.handoff.gateway.secrets.SecretStore;
import dev.handoff.gateway.service.AgentConfigService;
import dev.handoff.gateway.service.RunLedger;
import dev.handoff.gateway.service.RunUpdate;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Cursor Cloud Agents (API v0). A requested run is recorded with its request; any replica then claims it (row lock
 * with SKIP LOCKED plus a lease, safe with several replicas), launches the agent and polls it every
 * {@code HANDOFF_CURSOR_POLL_INTERVAL}: CREATING is still pending, RUNNING is reported, FINISHED completes the run
 * with Cursor's pull request and summary, ERROR and EXPIRED fail it. 429 and 5xx back off exponentially; 401/403
 * fail the run. Webhooks (FINISHED, ERROR) bring the end sooner; polling repairs any that were missed. After a
 * restart, every unfinished run is simply due again.
 */
@ApplicationScoped
public class CursorProvider {

    static final String PROVIDER_REJECTED_KEY = "provider-rejected-key";
    static final String PROVIDER_ERROR = "provider-error";
    static final String PROVIDER_EXPIRED = "provider-expired";
    static final String AGENTS_NOT_CONFIGURED = "agents-not-configured";
    static final String AGENTS_DISABLED = "agents-disabled";
    private static final int CLAIM_BATCH = 20;
    private static final int PARALLEL_CALLS = 8;
    private static final int LOOKUP_PAGES = 5;

    private final RunLedger ledger;
    private final AgentConfigService configs;
    private final SecretStore secrets;
    private final CursorApi api;
    private final GatewayConfig config;
    private final String owner = "cursor-" + UUID.randomUUID();
    private final AtomicBoolean ticking = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public CursorProvider(RunLedger ledger, AgentConfigService configs, SecretStore secrets, CursorApi api, GatewayConfig config) {
        this.ledger = ledger;
        this.configs = configs;
        this.secrets = secrets;
        this.api = api;
        this.config = config;
    }

    /** Records the run, due at once; a redelivered request finds it recorded and changes nothing. */
    public Uni<Void> launch(RunRequested request) {
        return ledger.pool().withTransaction(db -> ledger.runs().insertToLaunch(db, request.runId(), request.workspaceId(),
                        Providers.CURSOR, request.repositoryUrl(), request.branch(), targetBranch(request), EventJson.toJson(request)))
                .invoke(isNew -> {
                    if (isNew) {
                        kick();
                    } else {
                        Log.debugf("Cursor run %s was recorded before; redelivery ignored", request.runId());
                    }
                })
                .replaceWithVoid();
    }

    /** Stops the agent (when it was launched) and records the run as cancelled. */
    public Uni<Void> cancel(ProviderRun run) {
        Uni<Void> stop = run.providerRunId() == null ? Uni.createFrom().voidItem() : stopAgent(run);
        return stop.chain(() -> ledger.apply(run.runId(), RunUpdate.cancelled("STOPPED"))).replaceWithVoid();
    }

    /** Processes the runs that are due, right away. */
    public void kick() {
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

    /** Webhook secrets are kept a day after their run finished (for late redeliveries), then destroyed. */
    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> destroyOldWebhookSecrets() {
        return destroyWebhookSecretsOlderThan(Duration.ofDays(1)).replaceWithVoid()
                .onFailure().recoverWithItem(failure -> {
                    Log.warnf("destroying old webhook secrets: %s", failure.toString());
                    return null;
                });
    }

    /** Destroys the webhook secrets of runs finished longer ago than {@code age}; answers how many. */
    Uni<Integer> destroyWebhookSecretsOlderThan(Duration age) {
        return ledger.pool().withConnection(db -> ledger.runs().withStaleWebhookSecrets(db, age, 500))
                .chain(runs -> Multi.createFrom().iterable(runs)
                        .onItem().transformToUniAndConcatenate(run -> secrets.destroy(SecretNames.webhookSecret(run.workspaceId(), run.runId()))
                                .chain(() -> ledger.pool().withConnection(db -> ledger.runs().markWebhookSecret(db, run.runId(), false))))
                        .collect().asList()
                        .map(List::size));
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
        return ledger.pool().withTransaction(db -> ledger.runs().claimDue(db, Providers.CURSOR, owner, config.cursor().lease(), CLAIM_BATCH))
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
                    return backoff(run, null);
                })
                .chain(next -> next == null ? Uni.createFrom().voidItem()
                        : ledger.pool().withConnection(db -> ledger.runs().schedulePoll(db, run.runId(), next.delay(), next.failures())));
    }

    /** When to look again, and how many failed calls in a row led there. */
    record Next(Duration delay, int failures) {
    }

    private Uni<Next> process(ProviderRun run) {
        if (run.cancelRequested()) {
            return cancel(run).replaceWith((Next) null);
        }
        return workspaceKey(run).chain(key -> {
            if (key.isEmpty()) {
                return Uni.createFrom().item((Next) null);
            }
            return run.providerRunId() == null ? launchNow(run, key.get()) : poll(run, key.get());
        });
    }

    /** The workspace's Cursor key and model; a run whose workspace has none is failed here (empty answer). */
    private Uni<Optional<Keyed>> workspaceKey(ProviderRun run) {
        return configs.find(run.workspaceId()).chain(found -> {
            Optional<AgentConfig> cursorConfig = found.filter(c -> Providers.CURSOR.equals(c.provider()));
            if (cursorConfig.isEmpty()) {
                return fail(run, "CONFIG", AGENTS_NOT_CONFIGURED,
                        "the workspace has no Cursor configuration; an admin sets one with PUT /api/agent-config");
            }
            if (!cursorConfig.get().enabled() && run.providerRunId() == null) {
                return fail(run, "CONFIG", AGENTS_DISABLED, "agents are disabled for this workspace");
            }
            return configs.apiKey(run.workspaceId()).chain(key -> key.isEmpty()
                    ? fail(run, "CONFIG", AGENTS_NOT_CONFIGURED, "the workspace's Cursor API key is missing; an admin sets it again")
                    : Uni.createFrom().item(Optional.of(new Keyed(key.get(), cursorConfig.get().model()))));
        });
    }

    /** A key with the model configured next to it. The key is never logged; toString leaves it out. */
    record Keyed(String key, String model) {

        @Override
        public String toString() {
            return "Keyed[model=" + model + "]";
        }
    }

    /** What was asked for, and whether a launch call may already have reached Cursor. */
    private record Pending(RunRequested request, boolean attempted) {
    }

    private Uni<Next> launchNow(ProviderRun run, Keyed keyed) {
        return ledger.pool().withConnection(db -> ledger.runs().request(db, run.runId())
                        .chain(json -> ledger.runs().launchAttempted(db, run.runId())
                                .map(attempted -> new Pending(EventJson.fromJson(json, RunRequested.class), attempted))))
                .chain(pending -> {
                    Uni<Optional<JsonNode>> existing = pending.attempted()
                            ? findAgentByBranch(keyed.key(), targetBranch(pending.request()), null, 0)
                            : Uni.createFrom().item(Optional.empty());
                    return existing.chain(agent -> agent.isPresent()
                            ? recordLaunched(run, keyed, agent.get())
                            : launchAgent(run, keyed, pending.request()));
                });
    }

    private Uni<Next> launchAgent(ProviderRun run, Keyed keyed, RunRequested request) {
        Optional<String> publicUrl = config.publicUrl().map(String::strip).filter(s -> !s.isEmpty()).map(s -> s.replaceAll("/+$", ""));
        String secret = publicUrl.isPresent() ? WebhookSignature.newSecret() : null;
        Uni<Void> storeSecret = secret == null ? Uni.createFrom().voidItem()
                : secrets.put(SecretNames.webhookSecret(run.workspaceId(), run.runId()), secret)
                        .chain(() -> ledger.pool().withConnection(db -> ledger.runs().markWebhookSecret(db, run.runId(), true)));
        CursorApi.LaunchRequest launch = CursorApi.LaunchRequest.of(AgentPrompt.render(request, targetBranch(request)),
                request.repositoryUrl(), request.branch(), targetBranch(request), keyed.model(),
                publicUrl.map(url -> url + "/webhooks/cursor/" + run.runId()).orElse(null), secret);
        return storeSecret
                // recorded before the call: after a crash from here on, the agent is looked up by branch first
                .chain(() -> ledger.pool().withConnection(db -> ledger.runs().markLaunchAttempted(db, run.runId())))
                .chain(() -> api.launch(keyed.key(), launch))
                .chain(answer -> {
                    if (answer.ok() && answer.body().hasNonNull("id")) {
                        Log.infof("Cursor agent %s launched for run %s", answer.body().get("id").asText(), run.runId());
                        return recordLaunched(run, keyed, answer.body());
                    }
                    return onError(run, answer, "launch the agent");
                });
    }

    /** Stores the agent's id; a run cancelled while its launch was under way has the agent stopped at once. */
    private Uni<Next> recordLaunched(ProviderRun run, Keyed keyed, JsonNode agent) {
        String agentId = agent.get("id").asText();
        String url = agent.path("target").path("url").asText(null);
        return ledger.pool().withConnection(db -> ledger.runs().setProviderRun(db, run.runId(), agentId, url,
                        agent.path("status").asText("CREATING")))
                .chain(() -> ledger.find(run.runId()))
                .chain(current -> {
                    ProviderRun now = current.orElse(run);
                    if (now.cancelRequested() || now.status().isFinal()) {
                        return api.stop(keyed.key(), agentId).onFailure().recoverWithNull()
                                .chain(() -> ledger.apply(run.runId(), RunUpdate.cancelled("STOPPED")))
                                .replaceWith((Next) null);
                    }
                    return applyAgent(now, agent);
                });
    }

    private Uni<Next> poll(ProviderRun run, Keyed keyed) {
        return api.agent(keyed.key(), run.providerRunId()).chain(answer -> {
            if (answer.ok()) {
                return applyAgent(run, answer.body());
            }
            if (answer.status() == 404) {
                return fail(run, "NOT_FOUND", PROVIDER_ERROR, "Cursor no longer knows the agent " + run.providerRunId())
                        .replaceWith((Next) null);
            }
            return onError(run, answer, "read the agent's status");
        });
    }

    /** Maps Cursor's status onto the run; answers when to look again (null once the run is finished). */
    Uni<Next> applyAgent(ProviderRun run, JsonNode agent) {
        String status = agent.path("status").asText("");
        String agentId = agent.path("id").asText(run.providerRunId());
        String url = agent.path("target").path("url").asText(null);
        String branch = agent.path("target").path("branchName").asText(null);
        String summary = agent.path("summary").asText(null);
        RunUpdate update = switch (status) {
            case "RUNNING" -> RunUpdate.running("RUNNING", agentId, url, branch);
            case "FINISHED" -> RunUpdate.completed("FINISHED", agent.path("target").path("prUrl").asText(null), branch,
                    summary == null ? "Cursor's agent finished." : summary).withProviderRun(agentId, url);
            case "ERROR" -> RunUpdate.failed("ERROR", PROVIDER_ERROR, "Cursor's agent stopped with an error"
                    + (summary == null ? "" : ": " + summary)).withProviderRun(agentId, url);
            case "EXPIRED" -> RunUpdate.failed("EXPIRED", PROVIDER_EXPIRED, "Cursor's agent expired before it finished")
                    .withProviderRun(agentId, url);
            default -> null; // CREATING, or a status this version does not know: still pending
        };
        Uni<Optional<ProviderRun>> applied = update == null ? Uni.createFrom().item(Optional.empty()) : ledger.apply(run.runId(), update);
        return applied.map(changed -> update != null && update.status().isFinal()
                ? null : new Next(config.cursor().pollInterval(), 0));
    }

    /** A webhook whose signature was verified: the same mapping as a poll, once per delivery. */
    public Uni<Boolean> onWebhook(UUID runId, byte[] body, String signature) {
        return ledger.find(runId).chain(found -> {
            if (found.isEmpty() || !Providers.CURSOR.equals(found.get().provider())) {
                return Uni.createFrom().item(false);
            }
            ProviderRun run = found.get();
            return secrets.get(SecretNames.webhookSecret(run.workspaceId(), runId)).chain(secret -> {
                if (secret.isEmpty() || !WebhookSignature.verify(secret.get(), body, signature)) {
                    return Uni.createFrom().item(false);
                }
                JsonNode payload;
                try {
                    payload = EventJson.mapper().readTree(body);
                } catch (Exception e) {
                    Log.warnf("Cursor webhook for run %s is signed but not JSON; ignored", runId);
                    return Uni.createFrom().item(true);
                }
                if (run.providerRunId() != null && !run.providerRunId().equals(payload.path("id").asText())) {
                    Log.warnf("Cursor webhook for run %s names another agent; ignored", runId);
                    return Uni.createFrom().item(true);
                }
                return ledger.pool().withTransaction(db -> db.preparedQuery("""
                                        insert into webhook_delivery (run_id, body_sha256, received_at) values ($1, $2, now())
                                        on conflict do nothing""")
                                .execute(Tuple.of(runId, sha256(body)))
                                .chain(rows -> rows.rowCount() == 0
                                        ? Uni.createFrom().item(Optional.<ProviderRun>empty())
                                        : ledger.apply(db, runId, webhookUpdate(run, payload))))
                        .invoke(changed -> changed.ifPresent(r -> ledger.kickRelay()))
                        .replaceWith(true);
            });
        });
    }

    private static RunUpdate webhookUpdate(ProviderRun run, JsonNode payload) {
        String agentId = payload.path("id").asText(run.providerRunId());
        String url = payload.path("target").path("url").asText(null);
        String summary = payload.path("summary").asText(null);
        return switch (payload.path("status").asText("")) {
            case "FINISHED" -> RunUpdate.completed("FINISHED", payload.path("target").path("prUrl").asText(null),
                    payload.path("target").path("branchName").asText(null),
                    summary == null ? "Cursor's agent finished." : summary).withProviderRun(agentId, url);
            case "ERROR" -> RunUpdate.failed("ERROR", PROVIDER_ERROR, "Cursor's agent stopped with an error"
                    + (summary == null ? "" : ": " + summary)).withProviderRun(agentId, url);
            // webhooks are only sent for FINISHED and ERROR; anything else is left to polling
            default -> RunUpdate.running(payload.path("status").asText("RUNNING"), agentId, url, null);
        };
    }

    private Uni<Next> onError(ProviderRun run, CursorApi.Answer answer, String what) {
        if (answer.keyRejected()) {
            return fail(run, "UNAUTHORIZED", PROVIDER_REJECTED_KEY, "Cursor refused the workspace's API key (HTTP "
                    + answer.status() + ") when asked to " + what + "; an admin sets a valid key with PUT /api/agent-config")
                    .replaceWith((Next) null);
        }
        if (answer.retryLater()) {
            Log.infof("Cursor answered HTTP %d to %s for run %s; backing off", answer.status(), what, run.runId());
            return Uni.createFrom().item(backoff(run, answer.retryAfter()));
        }
        String message = answer.body().path("error").asText(answer.body().path("message").asText(""));
        return fail(run, "REJECTED", PROVIDER_ERROR, "Cursor could not " + what + " (HTTP " + answer.status() + ")"
                + (message.isBlank() ? "" : ": " + abbreviate(message))).replaceWith((Next) null);
    }

    /** Exponential backoff from the poll interval, at most {@code maxBackoff}; a longer Retry-After wins. */
    Next backoff(ProviderRun run, String retryAfter) {
        int failures = run.pollFailures() + 1;
        long base = config.cursor().pollInterval().toMillis();
        long delay = Math.min(base << Math.min(failures - 1, 20), config.cursor().maxBackoff().toMillis());
        if (retryAfter != null) {
            try {
                delay = Math.max(delay, Math.min(Long.parseLong(retryAfter.strip()) * 1000, config.cursor().maxBackoff().toMillis()));
            } catch (NumberFormatException ignored) {
                // an HTTP date: the exponential delay will do
            }
        }
        return new Next(Duration.ofMillis(delay), failures);
    }

    private Uni<Void> stopAgent(ProviderRun run) {
        return configs.apiKey(run.workspaceId())
                .chain(key -> key.isEmpty() ? Uni.createFrom().voidItem() : api.stop(key.get(), run.providerRunId())
                        .invoke(answer -> {
                            if (!answer.ok()) {
                                Log.warnf("Cursor answered HTTP %d to stopping agent %s", answer.status(), run.providerRunId());
                            }
                        })
                        .replaceWithVoid())
                .onFailure().recoverWithItem(failure -> {
                    Log.warnf("stopping Cursor agent %s: %s", run.providerRunId(), failure.getClass().getSimpleName());
                    return null;
                });
    }

    /** Looks through the key owner's agents (newest first, a few pages) for the one working on this branch. */
    private Uni<Optional<JsonNode>> findAgentByBranch(String key, String branch, String cursor, int page) {
        if (page >= LOOKUP_PAGES) {
            return Uni.createFrom().item(Optional.empty());
        }
        return api.agents(key, 100, cursor).chain(answer -> {
            if (!answer.ok()) {
                return Uni.createFrom().failure(new IllegalStateException("listing Cursor agents answered HTTP " + answer.status()));
            }
            for (JsonNode agent : CursorApi.agentsOf(answer.body())) {
                if (branch.equals(agent.path("target").path("branchName").asText())) {
                    return Uni.createFrom().item(Optional.of(agent));
                }
            }
            String next = answer.body().path("nextCursor").asText(null);
            return next == null || next.isBlank() ? Uni.createFrom().item(Optional.<JsonNode>empty())
                    : findAgentByBranch(key, branch, next, page + 1);
        });
    }

    private <T> Uni<Optional<T>> fail(ProviderRun run, String providerStatus, String code, String message) {
        return ledger.apply(run.runId(), RunUpdate.failed(providerStatus, code, message)).replaceWith(Optional.<T>empty());
    }

    private static String targetBranch(RunRequested request) {
        return AgentPrompt.targetBranch(request);
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
