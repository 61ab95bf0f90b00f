package dev.handoff.gateway.cursor;

import dev.handoff.events.RunRequested;
import dev.handoff.gateway.GatewayConfig;
import dev.handoff.gateway.ProviderRun;
import dev.handoff.gateway.cursor.CursorClient.Agent;
import dev.handoff.gateway.prompt.AgentPrompt;
import dev.handoff.gateway.secrets.SecretNames;
import dev.handoff.gateway.secrets.SecretStore;
import dev.handoff.gateway.service.AgentConfigService;
import dev.handoff.gateway.service.RunLedger;
import dev.handoff.gateway.service.RunUpdate;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;

/**
 * What the gateway does with one run's Cursor agent: launch it (after a crash or a failed launch call, adopt the agent
 * this run launched already, told by the run's marker in its prompt, instead of launching a second), read its status,
 * stop it. Each step answers when to look at the run
 * again ({@link Next}), or null once the run is finished.
 */
@ApplicationScoped
class CursorAgents implements CursorRuns {

    static final String PROVIDER_REJECTED_KEY = "provider-rejected-key";
    private static final int LOOKUP_PAGES = 5;

    private final RunLedger ledger;
    private final AgentConfigService configs;
    private final SecretStore secrets;
    private final CursorApi api;
    private final GatewayConfig config;
    private final CursorConfig cursor;
    private final Backoff backoff;

    public CursorAgents(RunLedger ledger, AgentConfigService configs, SecretStore secrets, CursorApi api, GatewayConfig config,
            CursorConfig cursor) {
        this.ledger = ledger;
        this.configs = configs;
        this.secrets = secrets;
        this.api = api;
        this.config = config;
        this.cursor = cursor;
        this.backoff = new Backoff(cursor.pollInterval(), cursor.maxBackoff());
    }

    /** When to look again, and how many failed calls in a row led there. */
    record Next(Duration delay, int failures) {
    }

    /** A workspace's key with the model configured next to it. The key is never logged; toString leaves it out. */
    record Keyed(String key, String model) {

        @Override
        public String toString() {
            return "Keyed[model=" + model + "]";
        }
    }

    /** Launches the run's agent; a run whose launch was attempted before (a crash in between) first looks for it. */
    @Override
    public Uni<Next> launch(ProviderRun run, Keyed keyed) {
        return ledger.requested(run.runId()).chain(requested -> {
            if (requested.request().followUp() != null) {
                return followUp(run, keyed, requested);
            }
            Uni<Optional<Agent>> existing = requested.launchAttempted()
                    ? findOwnAgent(keyed.key(), run.runId(), targetBranch(requested.request()), null, 0)
                    : Uni.createFrom().item(Optional.empty());
            return existing.chain(agent -> agent.isPresent()
                    ? recordLaunched(run, keyed, agent.get())
                    : launchAgent(run, keyed, requested.request()));
        });
    }

    /** Reads the agent's status and applies it to the run. */
    @Override
    public Uni<Next> poll(ProviderRun run, Keyed keyed) {
        return api.agent(keyed.key(), run.providerRunId()).chain(answer -> {
            if (answer.ok()) {
                return apply(run, answer.body());
            }
            if (answer.status() == 404) {
                return fail(run, "NOT_FOUND", CursorStatuses.PROVIDER_ERROR, "Cursor no longer knows the agent " + run.providerRunId());
            }
            return onError(run, answer, "read the agent's status");
        });
    }

    /** Stops the agent (when it was launched) and records the run as cancelled. */
    @Override
    public Uni<Void> cancel(ProviderRun run) {
        Uni<Void> stop = run.providerRunId() == null ? Uni.createFrom().voidItem() : stop(run);
        return stop.chain(() -> ledger.apply(run.runId(), RunUpdate.cancelled("STOPPED"))).replaceWithVoid();
    }

    /** Fails the run; answers that there is no next turn. */
    Uni<Next> fail(ProviderRun run, String providerStatus, String code, String message) {
        return ledger.apply(run.runId(), RunUpdate.failed(providerStatus, code, message)).replaceWith((Next) null);
    }

    /** The next turn after a failed call. */
    Next backoff(ProviderRun run, String retryAfter) {
        int failures = run.pollFailures() + 1;
        return new Next(backoff.delay(failures, retryAfter), failures);
    }

    private Uni<Next> launchAgent(ProviderRun run, Keyed keyed, RunRequested request) {
        Optional<String> publicUrl = config.publicUrl().map(String::strip).filter(s -> !s.isEmpty()).map(s -> s.replaceAll("/+$", ""));
        String secret = publicUrl.isPresent() ? WebhookSignature.newSecret() : null;
        Uni<Void> storeSecret = secret == null ? Uni.createFrom().voidItem()
                : secrets.put(SecretNames.webhookSecret(run.workspaceId(), run.runId()), secret)
                        .chain(() -> ledger.noteWebhookSecret(run.runId(), true));
        CursorClient.LaunchRequest launch = CursorClient.LaunchRequest.of(
                AgentPrompt.render(request, targetBranch(request)) + marker(run.runId()),
                request.repositoryUrl(), request.branch(), targetBranch(request), keyed.model(),
                publicUrl.map(url -> url + "/webhooks/cursor/" + run.runId()).orElse(null), secret);
        return storeSecret
                // recorded before the call: after a crash or a failed call from here on, the agent is looked up (by branch and the run's marker) first
                .chain(() -> ledger.markLaunchAttempted(run.runId()))
                .chain(() -> api.launch(keyed.key(), launch))
                .chain(answer -> {
                    if (answer.ok() && answer.body() != null && answer.body().id() != null) {
                        Log.infof("Cursor agent %s launched for run %s", answer.body().id(), run.runId());
                        return recordLaunched(run, keyed, answer.body());
                    }
                    return onError(run, answer, "launch the agent");
                });
    }

    /**
     * A follow-up goes to the earlier run's agent ({@code POST /v0/agents/{id}/followup}), which works on again on its
     * branch and pull request; the new run then follows that agent's status like a launched one. After a crash
     * between the call and its record, the agent's conversation tells whether the follow-up was already sent.
     */
    private Uni<Next> followUp(ProviderRun run, Keyed keyed, RunLedger.Requested requested) {
        RunRequested request = requested.request();
        String agentId = request.followUp().providerRunId();
        String prompt = AgentPrompt.render(request, targetBranch(request));
        Uni<Boolean> alreadySent = requested.launchAttempted() ? conversationEndsWith(keyed.key(), agentId, prompt)
                : Uni.createFrom().item(false);
        return alreadySent.chain(sent -> {
            if (sent) {
                return recordFollowedUp(run, keyed, agentId);
            }
            return ledger.markLaunchAttempted(run.runId())
                    .chain(() -> api.followUp(keyed.key(), agentId, prompt))
                    .chain(answer -> {
                        if (answer.ok()) {
                            Log.infof("Cursor agent %s follows up for run %s", agentId, run.runId());
                            return recordFollowedUp(run, keyed, agentId);
                        }
                        if (answer.status() == 404) {
                            return fail(run, "NOT_FOUND", CursorStatuses.PROVIDER_ERROR,
                                    "Cursor no longer knows the agent " + agentId + ", so the follow-up cannot continue its work");
                        }
                        return onError(run, answer, "send the follow-up to the agent");
                    });
        });
    }

    private Uni<Boolean> conversationEndsWith(String key, String agentId, String prompt) {
        return api.conversation(key, agentId).map(answer -> {
            if (!answer.ok() || answer.body() == null || answer.body().messages() == null) {
                throw new IllegalStateException("reading the conversation of a Cursor agent answered HTTP " + answer.status());
            }
            return answer.body().messages().stream().filter(m -> "user_message".equals(m.type()))
                    .reduce((first, second) -> second).map(m -> prompt.equals(m.text())).orElse(false);
        });
    }

    /** The agent took the follow-up and runs again: the new run is RUNNING on it (stopped at once if cancelled meanwhile). */
    private Uni<Next> recordFollowedUp(ProviderRun run, Keyed keyed, String agentId) {
        return ledger.recordAgent(run.runId(), agentId, null, "RUNNING")
                .chain(() -> ledger.find(run.runId()))
                .chain(current -> {
                    ProviderRun now = current.orElse(run);
                    if (now.cancelRequested() || now.status().isFinal()) {
                        return api.stop(keyed.key(), agentId).onFailure().recoverWithNull()
                                .chain(() -> ledger.apply(run.runId(), RunUpdate.cancelled("STOPPED")))
                                .replaceWith((Next) null);
                    }
                    return ledger.apply(run.runId(), RunUpdate.running("RUNNING", agentId, null, run.targetBranch()))
                            .replaceWith(new Next(cursor.pollInterval(), 0));
                });
    }

    /** Stores the agent's id; a run cancelled while its launch was under way has the agent stopped at once. */
    private Uni<Next> recordLaunched(ProviderRun run, Keyed keyed, Agent agent) {
        return ledger.recordAgent(run.runId(), agent.id(), agent.url(), agent.status() == null ? "CREATING" : agent.status())
                .chain(() -> ledger.find(run.runId()))
                .chain(current -> {
                    ProviderRun now = current.orElse(run);
                    if (now.cancelRequested() || now.status().isFinal()) {
                        return api.stop(keyed.key(), agent.id()).onFailure().recoverWithNull()
                                .chain(() -> ledger.apply(run.runId(), RunUpdate.cancelled("STOPPED")))
                                .replaceWith((Next) null);
                    }
                    return apply(now, agent);
                });
    }

    /** Applies the agent's status to the run; answers when to look again (null once the run is finished). */
    private Uni<Next> apply(ProviderRun run, Agent agent) {
        Optional<RunUpdate> update = CursorStatuses.update(agent, run.providerRunId());
        Uni<Optional<ProviderRun>> applied = update.isEmpty() ? Uni.createFrom().item(Optional.empty())
                : ledger.apply(run.runId(), update.get());
        return applied.map(changed -> update.isPresent() && update.get().status().isFinal()
                ? null : new Next(cursor.pollInterval(), 0));
    }

    /** A failed call: a refused key fails the run, 429 and 5xx back off, anything else fails it with Cursor's words. */
    <T> Uni<Next> onError(ProviderRun run, CursorApi.Answer<T> answer, String what) {
        if (answer.keyRejected()) {
            return fail(run, "UNAUTHORIZED", PROVIDER_REJECTED_KEY, "Cursor refused the workspace's API key (HTTP "
                    + answer.status() + ") when asked to " + what + "; an admin sets a valid key with PUT /api/agent-config");
        }
        if (answer.retryLater()) {
            Log.infof("Cursor answered HTTP %d to %s for run %s; backing off", answer.status(), what, run.runId());
            return Uni.createFrom().item(backoff(run, answer.retryAfter()));
        }
        String message = answer.error() == null ? "" : answer.error();
        return fail(run, "REJECTED", CursorStatuses.PROVIDER_ERROR, "Cursor could not " + what + " (HTTP " + answer.status() + ")"
                + (message.isBlank() ? "" : ": " + abbreviate(message)));
    }

    private Uni<Void> stop(ProviderRun run) {
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

    /**
     * The line that ends every prompt the gateway launches, naming the run: Cursor keeps the prompt as the first
     * message of the agent's conversation, which is how an agent of this run is told from any other on the same branch
     * (a retry, or another task given the same explicit target branch). An HTML comment: a reader of the prompt does
     * not see it rendered.
     */
    static String marker(java.util.UUID runId) {
        return "\n<!-- handoff-run: " + runId + " -->\n";
    }

    /**
     * Looks through the key owner's agents (newest first, a few pages) for the one this run launched: on the run's
     * branch, and with this run's {@link #marker} in the prompt it was launched with. An agent on the same branch
     * launched by anything else is never adopted.
     */
    private Uni<Optional<Agent>> findOwnAgent(String key, java.util.UUID runId, String branch, String cursor, int page) {
        if (page >= LOOKUP_PAGES) {
            return Uni.createFrom().item(Optional.empty());
        }
        return api.agents(key, 100, cursor).chain(answer -> {
            if (!answer.ok() || answer.body() == null) {
                return Uni.createFrom().failure(new IllegalStateException("listing Cursor agents answered HTTP " + answer.status()));
            }
            java.util.List<Agent> onBranch = answer.body().agents() == null ? java.util.List.of()
                    : answer.body().agents().stream().filter(a -> a.id() != null && branch.equals(a.branchName())).toList();
            String next = answer.body().nextCursor();
            return launchedBy(key, runId, onBranch, 0).chain(found -> found.isPresent() || next == null || next.isBlank()
                    ? Uni.createFrom().item(found)
                    : findOwnAgent(key, runId, branch, next, page + 1));
        });
    }

    /** The first of these agents whose launch prompt carries the run's marker. */
    private Uni<Optional<Agent>> launchedBy(String key, java.util.UUID runId, java.util.List<Agent> candidates, int index) {
        if (index >= candidates.size()) {
            return Uni.createFrom().item(Optional.empty());
        }
        Agent candidate = candidates.get(index);
        String marker = marker(runId).strip();
        return api.conversation(key, candidate.id()).chain(answer -> {
            if (!answer.ok() || answer.body() == null) {
                return Uni.createFrom().failure(new IllegalStateException("reading a Cursor agent's conversation answered HTTP "
                        + answer.status()));
            }
            boolean ours = answer.body().messages() != null && answer.body().messages().stream()
                    .filter(m -> "user_message".equals(m.type())).findFirst()
                    .map(first -> first.text() != null && first.text().contains(marker)).orElse(false);
            if (ours) {
                return Uni.createFrom().item(Optional.of(candidate));
            }
            Log.infof("Cursor agent %s works on the branch of run %s but was not launched by it; not adopted", candidate.id(), runId);
            return launchedBy(key, runId, candidates, index + 1);
        });
    }

    static String targetBranch(RunRequested request) {
        return AgentPrompt.targetBranch(request);
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
