package dev.handoff.gateway.messaging;

import dev.handoff.events.RunRequested;
import dev.handoff.gateway.ProviderRun;
import dev.handoff.gateway.provider.AgentProviders;
import dev.handoff.gateway.service.RunLedger;
import dev.handoff.gateway.service.RunUpdate;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Routes launches and cancellations to the provider a run names, among the providers the gateway has. */
@ApplicationScoped
public class ProviderDispatch {

    private final AgentProviders providers;
    private final RunLedger ledger;

    public ProviderDispatch(AgentProviders providers, RunLedger ledger) {
        this.providers = providers;
        this.ledger = ledger;
    }

    public Uni<Void> launch(RunRequested request) {
        return providers.named(request.provider())
                .map(provider -> provider.launch(request))
                .orElseGet(() -> unsupported(request));
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
