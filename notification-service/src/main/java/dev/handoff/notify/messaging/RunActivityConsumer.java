package dev.handoff.notify.messaging;

import dev.handoff.events.RunActivity;
import dev.handoff.idempotency.ProcessedEvents;
import dev.handoff.notify.service.ActivityMetrics;
import dev.handoff.notify.service.ActivityService;
import dev.handoff.resilience.Redelivery;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Stores run activity, like {@link RunEventConsumer} stores run events: one shared consumer group, so each batch is
 * stored by one replica, and the live delivery to every replica's clients starts from the stored row. A redelivered
 * or overlapping batch stores only what is new ({@link ActivityService#record}).
 */
@ApplicationScoped
public class RunActivityConsumer {

    public static final String RUN_ACTIVITY = "run-activity";

    private final ActivityService service;
    private final Redelivery redelivery;
    private final ProcessedEvents processed;
    private final ActivityMetrics metrics;

    public RunActivityConsumer(ActivityService service, Redelivery redelivery, ProcessedEvents processed,
            ActivityMetrics metrics) {
        this.service = service;
        this.redelivery = redelivery;
        this.processed = processed;
        this.metrics = metrics;
    }

    /**
     * An unreadable or unusable batch fails here, and the channel sends it to the dead letter topic; a database
     * outage is waited out ({@link Redelivery}). Never logs the entries: they are the agent's output.
     */
    @Incoming(RUN_ACTIVITY)
    public Uni<Void> onRunActivity(RunActivity event) {
        if (event == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("unreadable run activity"));
        }
        // the store is idempotent itself (it keeps each seq of a run once); the processed-event record spares a
        // redelivery its transaction
        return redelivery.apply("RunActivity " + event.eventId(), () -> processed.unlessSeen(event.eventId(),
                        () -> service.record(event)
                                .invoke(stored -> {
                                    metrics.stored(stored);
                                    Log.debugf("RunActivity %s of run %s: %d new entries", event.eventId(),
                                            event.runId(), stored);
                                })
                                .replaceWithVoid()))
                .replaceWithVoid();
    }
}
