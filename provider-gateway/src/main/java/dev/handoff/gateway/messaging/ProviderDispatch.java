package dev.handoff.gateway.messaging;

import dev.handoff.events.RunRequested;
import dev.handoff.gateway.ProviderRun;
import dev.handoff.gateway.provider.AgentProvider;
import dev.handoff.gateway.provider.AgentProviders;
import dev.handoff.gateway.service.RunLedger;
import dev.handoff.gateway.service.RunUpdate;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Routes launches and cancellations to the provider a run names, among the providers the gateway has. */
@ApplicationScoped
public class ProviderDispatch {

    /** {@code error.code} of a follow-up that has no earlier run to continue here, or whose provider cannot. */
    public static final String FOLLOW_UP_NOT_POSSIBLE = "follow-up-not-possible";

    private final AgentProviders providers;
    private final RunLedger ledger;

    public ProviderDispatch(AgentProviders providers, RunLedger ledger) {
        this.providers = providers;
        this.ledger = ledger;
    }

    /** A first run goes to its provider's launch, a follow-up to its provider's followUp with the run it continues. */
    public Uni<Void> launch(RunRequested request) {
        Optional<AgentProvider> provider = providers.named(request.provider());
        if (provider.isEmpty()) {
            return unsupported(request);
        }
        if (request.followUp() == null) {
            return provider.get().launch(request);
        }
        return ledger.find(request.followUp().runId()).chain(earlier -> {
            if (earlier.isEmpty() || !earlier.get().workspaceId().equals(request.workspaceId())
                    || !earlier.get().provider().equals(request.provider())) {
                return notFollowable(request, "the provider gateway has no " + request.provider() + " run "
                        + request.followUp().runId() + " of this workspace to continue");
            }
            return provider.get().followUp(request, earlier.get())
                    .onFailure(AgentProvider.NotSupportedYet.class)
                    .recoverWithUni(failure -> notFollowable(request, failure.getMessage()));
        });
    }

    /** A follow-up the gateway cannot continue fails at once (a redelivery changes nothing). */
    private Uni<Void> notFollowable(RunRequested request, String why) {
        Log.warnf("follow-up run %s cannot continue run %s: %s", request.runId(), request.followUp().runId(), why);
        return ledger.recordFailed(request, RunUpdate.failed("FOLLOW_UP_FAILED", FOLLOW_UP_NOT_POSSIBLE, why));
    }

    /** A run of a provider the gateway does not have has no agent to stop: it is simply cancelled. */
    public Uni<Void> cancel(ProviderRun run) {
        return providers.named(run.provider())
                .map(provider -> provider.cancel(run))
                .orElseGet(() -> ledger.apply(run.runId(), RunUpdate.cancelled("CANCELLED")).replaceWithVoid());
    }

    /** A provider this gateway does not have: the run fails at once instead of waiting forever. */
    private Uni<Void> unsupported(RunRequested request) {
        Log.warnf("run %s asks for the unknown provider '%s'", request.runId(), request.provider());
        return ledger.recordFailed(request, RunUpdate.failed("UNSUPPORTED", "provider-unsupported",
                "the provider gateway has no provider named '" + request.provider() + "'"));
    }
}
