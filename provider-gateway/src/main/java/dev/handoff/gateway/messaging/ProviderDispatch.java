package dev.handoff.gateway.messaging;

import dev.handoff.events.RunRequested;
import dev.handoff.gateway.ProviderRun;
import dev.handoff.gateway.Providers;
import dev.handoff.gateway.cursor.CursorProvider;
import dev.handoff.gateway.local.LocalProvider;
import dev.handoff.gateway.service.RunLedger;
import dev.handoff.gateway.service.RunUpdate;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** Routes launches and cancellations to the provider a run belongs to. */
@ApplicationScoped
public class ProviderDispatch {

    private final LocalProvider local;
    private final CursorProvider cursor;
    private final RunLedger ledger;

    public ProviderDispatch(LocalProvider local, CursorProvider cursor, RunLedger ledger) {
        this.local = local;
        this.cursor = cursor;
        this.ledger = ledger;
    }

    public Uni<Void> launch(RunRequested request) {
        String provider = request.provider() == null ? "" : request.provider();
        return switch (provider) {
            case Providers.LOCAL -> local.launch(request);
            case Providers.CURSOR -> cursor.launch(request);
            default -> unsupported(request);
        };
    }

    public Uni<Void> cancel(ProviderRun run) {
        return switch (run.provider()) {
            case Providers.LOCAL -> local.cancel(run);
            case Providers.CURSOR -> cursor.cancel(run);
            default -> ledger.apply(run.runId(), RunUpdate.cancelled("CANCELLED")).replaceWithVoid();
        };
    }

    /** A provider this gateway does not have: the run fails at once instead of waiting forever. */
    private Uni<Void> unsupported(RunRequested request) {
        Log.warnf("run %s asks for the unknown provider '%s'", request.runId(), request.provider());
        return ledger.pool().withTransaction(db -> ledger.runs().insertIfAbsent(db, request.runId(), request.workspaceId(),
                                String.valueOf(request.provider()), request.repositoryUrl(), request.branch(),
                                request.targetBranch(), null, Duration.ZERO)
                        .chain(isNew -> isNew
                                ? ledger.apply(db, request.runId(), RunUpdate.failed("UNSUPPORTED", "provider-unsupported",
                                        "the provider gateway has no provider named '" + request.provider() + "'"))
                                : Uni.createFrom().nullItem()))
                .invoke(ledger::kickRelay)
                .replaceWithVoid();
    }
}
