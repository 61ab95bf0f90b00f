package dev.handoff.gateway.service;

import dev.handoff.gateway.GatewayConfig;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A run's request holds the whole brief and task its agent was given; once the run is final and older than
 * {@code handoff.gateway.request-retention} it is not needed any more, and is set to null in bounded batches (every
 * replica may run this; it is idempotent).
 */
@ApplicationScoped
public class RequestPurge {

    static final int BATCH = 500;
    /** At most this many batches a round: a large backlog goes over a few rounds rather than in one long burst. */
    private static final int MAX_BATCHES = 20;

    private final RunLedger ledger;
    private final GatewayConfig config;

    public RequestPurge(RunLedger ledger, GatewayConfig config) {
        this.ledger = ledger;
        this.config = config;
    }

    @Scheduled(every = "${handoff.gateway.request-purge-interval}", delayed = "2m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> scheduled() {
        return purge().replaceWithVoid()
                .onFailure().recoverWithItem(failure -> {
                    Log.warnf("forgetting old run requests: %s", failure.toString());
                    return null;
                });
    }

    /** Forgets the requests of final runs past the retention; answers how many. */
    public Uni<Integer> purge() {
        return round(0, 0).invoke(cleared -> {
            if (cleared > 0) {
                Log.infof("forgot the requests (briefs) of %d finished run(s) older than %s", cleared,
                        config.gateway().requestRetention());
            }
        });
    }

    private Uni<Integer> round(int batches, int cleared) {
        return ledger.clearOldRequests(config.gateway().requestRetention(), BATCH).chain(n -> n < BATCH || batches + 1 >= MAX_BATCHES
                ? Uni.createFrom().item(cleared + n)
                : round(batches + 1, cleared + n));
    }
}
