package dev.handoff.notify.service;

import dev.handoff.notify.NotifyConfig;
import dev.handoff.notify.repository.RunEventStore;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;

/** Keeps the stored events for the configured retention (never less than 24 hours) and prunes older ones. */
@ApplicationScoped
public class Retention {

    public static final Duration MINIMUM = Duration.ofHours(24);

    private final RunEventStore store;
    private final Duration retention;

    public Retention(RunEventStore store, NotifyConfig config) {
        this.store = store;
        this.retention = effective(config.retention());
        if (!retention.equals(config.retention())) {
            Log.warnf("HANDOFF_EVENTS_RETENTION=%s is below the 24 hours clients rely on; keeping events for %s",
                    config.retention(), retention);
        }
    }

    /** The configured retention, raised to {@link #MINIMUM}. */
    public static Duration effective(Duration configured) {
        return configured == null || configured.compareTo(MINIMUM) < 0 ? MINIMUM : configured;
    }

    public Duration retention() {
        return retention;
    }

    /** Every replica prunes; deleting is idempotent, so they need no coordination. */
    @Scheduled(every = "${handoff.notify.prune-interval}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledPrune() {
        return prune(Instant.now()).replaceWithVoid();
    }

    /** Deletes the events stored longer than the retention before {@code now}; how many were deleted. */
    public Uni<Integer> prune(Instant now) {
        return store.deleteCreatedBefore(now.minus(retention))
                .invoke(deleted -> {
                    if (deleted > 0) {
                        Log.infof("pruned %d run events older than %s", deleted, retention);
                    }
                });
    }
}
