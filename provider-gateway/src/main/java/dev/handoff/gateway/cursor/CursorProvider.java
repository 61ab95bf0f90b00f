package dev.handoff.gateway.cursor;

import dev.handoff.events.FollowUp;
import dev.handoff.events.RunRequested;
import dev.handoff.gateway.ProviderRun;
import dev.handoff.gateway.messaging.ProviderDispatch;
import dev.handoff.gateway.provider.ActivityKind;
import dev.handoff.gateway.provider.AgentProvider;
import dev.handoff.gateway.provider.ProviderSettings;
import dev.handoff.gateway.service.RunLedger;
import dev.handoff.gateway.service.RunUpdate;
import dev.handoff.web.ProblemException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Cursor Cloud Agents (API v0, or v1 with {@code HANDOFF_CURSOR_API=v1}: {@link CursorAgentsV1}) on GitHub repositories. A requested run is recorded with its request and due at once;
 * {@link CursorPoller} launches its agent and polls it on any replica ({@link CursorAgents} does the calls,
 * {@link CursorStatuses} maps Cursor's statuses), {@link CursorWebhooks} brings the end sooner. The workspace's key is
 * required and checked with {@code GET /v0/me} before it is stored.
 */
@ApplicationScoped
public class CursorProvider implements AgentProvider {

    public static final String NAME = "cursor";

    private final RunLedger ledger;
    private final CursorPoller poller;
    private final CursorRuns runs;
    private final CursorApi api;
    private final CursorApiV1 apiV1;
    private final boolean v1;

    public CursorProvider(RunLedger ledger, CursorPoller poller, CursorAgents agents, CursorAgentsV1 agentsV1, CursorApi api,
            CursorApiV1 apiV1, CursorConfig cursor) {
        this.ledger = ledger;
        this.poller = poller;
        this.v1 = cursor.api() == CursorConfig.Api.V1;
        this.runs = v1 ? agentsV1 : agents;
        this.api = api;
        this.apiV1 = apiV1;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderSettings settings() {
        return new ProviderSettings(true, false);
    }

    /**
     * The agent's own words: in v0 its conversation ({@code GET /v0/agents/{id}/conversation}), polled with its
     * status, each new message a {@code message} entry; in v1 the run's event stream, each message a {@code message}
     * entry and each tool call a {@code tool} entry; {@code truncated} when a run says more than it keeps.
     */
    @Override
    public Set<ActivityKind> activity() {
        return v1 ? Set.of(ActivityKind.MESSAGE, ActivityKind.TOOL, ActivityKind.TRUNCATED)
                : Set.of(ActivityKind.MESSAGE, ActivityKind.TRUNCATED);
    }

    /**
     * {@code GET /v0/me} (v1: {@code GET /v1/me}): 200 accepts the key; 401/403 refuse it; anything else means Cursor
     * cannot tell right now.
     */
    @Override
    public Uni<Void> verifyKey(String apiKey) {
        Uni<? extends CursorApi.Answer<?>> me = v1 ? apiV1.me(apiKey) : api.me(apiKey);
        return me
                .onFailure().transform(failure -> {
                    Log.warnf("Cursor could not be reached to check an API key: %s", failure.getClass().getSimpleName());
                    return providerUnavailable();
                })
                .invoke(answer -> {
                    if (answer.keyRejected()) {
                        throw ProblemException.unprocessable(CursorAgents.PROVIDER_REJECTED_KEY,
                                "Cursor refused the API key (HTTP " + answer.status() + "); create a new key in the Cursor dashboard");
                    }
                    if (!answer.ok()) {
                        Log.warnf("Cursor answered HTTP %d to GET /%s/me", answer.status(), v1 ? "v1" : "v0");
                        throw providerUnavailable();
                    }
                })
                .replaceWithVoid();
    }

    /** Records the run, due at once; a redelivered request finds it recorded and changes nothing. */
    @Override
    public Uni<Void> launch(RunRequested request) {
        return ledger.recordDue(request, NAME, CursorAgents.targetBranch(request))
                .invoke(isNew -> {
                    if (isNew) {
                        poller.kick();
                    } else {
                        Log.debugf("Cursor run %s was recorded before; redelivery ignored", request.runId());
                    }
                })
                .replaceWithVoid();
    }

    /** Stops the agent (when it was launched) and records the run as cancelled. */
    @Override
    public Uni<Void> cancel(ProviderRun run) {
        return runs.cancel(run);
    }

    /**
     * Records the follow-up, due at once, naming the earlier run's agent as the ledger knows it; {@link CursorPoller}
     * then sends it to that agent ({@code POST /v0/agents/{id}/followup}; v1: a new run of the agent) and follows it.
     */
    @Override
    public Uni<Void> followUp(RunRequested request, ProviderRun earlier) {
        FollowUp followUp = request.followUp();
        String agentId = earlier.providerRunId() != null ? earlier.providerRunId() : followUp.providerRunId();
        if (agentId == null) {
            return ledger.recordFailed(request, RunUpdate.failed("FOLLOW_UP_FAILED", ProviderDispatch.FOLLOW_UP_NOT_POSSIBLE,
                    "the run " + followUp.runId() + " never got a Cursor agent, so there is none to follow up"));
        }
        RunRequested toAgent = new RunRequested(request.eventId(), request.occurredAt(), request.workspaceId(),
                request.runId(), request.taskId(), request.provider(), request.repositoryUrl(), request.branch(),
                request.targetBranch(), request.instructions(), request.context(),
                new FollowUp(followUp.runId(), agentId, followUp.branch(), followUp.pullRequestUrl(), followUp.summary()));
        return launch(toAgent);
    }

    private static ProblemException providerUnavailable() {
        return new ProblemException(503, "provider-unavailable", "Provider unavailable",
                "Cursor could not check the API key right now; try again later");
    }
}
