package dev.handoff.notify.service;

import dev.handoff.notify.NotifyConfig;
import dev.handoff.notify.repository.ActivityStore;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Keeps run activity for {@code HANDOFF_ACTIVITY_RETENTION} (30 days), then forgets it and, once a run has no
 * activity left and was not heard of for as long, the run itself. Deletes in batches of
 * {@code purge-batch-size} rows, one short statement each, so a large backlog never holds long locks. Every replica
 * purges; deleting is idempotent, so they need no coordination. (The {@code run.activity} events of the SSE replay
 * are stored events like the others and age out with them, after {@code HANDOFF_EVENTS_RETENTION}.)
 */
@ApplicationScoped
public class ActivityRetention {

    private final ActivityStore store;
    private final Duration retention;
    private final int batchSize;

    @Inject
    public ActivityRetention(ActivityStore store, NotifyConfig config) {
        this(store, config.activity().retention(), config.activity().purgeBatchSize());
    }

    /** A purge of its own settings (tests: a small batch shows the batching). */
    public ActivityRetention(ActivityStore store, Duration retention, int batchSize) {
        this.store = store;
        this.retention = retention;
        this.batchSize = Math.max(1, batchSize);
    }

    public Duration retention() {
        return retention;
    }

    @Scheduled(every = "${handoff.notify.activity.purge-interval}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> scheduledPurge() {
        return purge(Instant.now())
                .onFailure().invoke(e -> Log.warnf("activity purge failed, next time then: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** What one purge removed. */
    public record Purged(int activityRows, int runs) {
    }

    /** Deletes the activity stored longer than the retention before {@code now}, then the runs left without any. */
    public Uni<Purged> purge(Instant now) {
        Instant cutoff = now.minus(retention);
        return drain(() -> store.deleteCreatedBefore(cutoff, batchSize), 0)
                .chain(rows -> drain(() -> store.forgetRunsSeenBefore(cutoff, batchSize), 0)
                        .map(runs -> new Purged(rows, runs)))
                .invoke(purged -> {
                    if (purged.activityRows() > 0 || purged.runs() > 0) {
                        Log.infof("purged %d activity batches and %d runs older than %s", purged.activityRows(),
                                purged.runs(), retention);
                    }
                });
    }

    /** Repeats one bounded delete until a batch comes back short; the total. */
    private Uni<Integer> drain(Supplier<Uni<Integer>> batch, int sofar) {
        return batch.get().chain(deleted -> deleted < batchSize
                ? Uni.createFrom().item(sofar + deleted)
                : drain(batch, sofar + deleted));
    }
}
