package dev.handoff.notify.messaging;

import dev.handoff.events.HandoffEvent;
import dev.handoff.events.PullRequestOpened;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.notify.RunEvent;
import dev.handoff.notify.repository.RunEventStore;
import dev.handoff.resilience.Redelivery;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Stores the run events frontends are shown. All replicas share one consumer group, so each message is stored by one
 * of them; a redelivered one is recognised by its eventId. Live delivery to the replicas' clients starts from the
 * stored row (see {@link dev.handoff.notify.live.LiveFeed}), never from here.
 */
@ApplicationScoped
public class RunEventConsumer {

    public static final String RUN_STATUS_CHANGED = "run-status-changed";
    public static final String PULL_REQUEST_OPENED = "pull-request-opened";

    private final RunEventStore store;
    private final Redelivery redelivery;

    public RunEventConsumer(RunEventStore store, Redelivery redelivery) {
        this.store = store;
        this.redelivery = redelivery;
    }

    @Incoming(RUN_STATUS_CHANGED)
    public Uni<Void> onRunStatusChanged(RunStatusChanged event) {
        return store(event);
    }

    @Incoming(PULL_REQUEST_OPENED)
    public Uni<Void> onPullRequestOpened(PullRequestOpened event) {
        return store(event);
    }

    /**
     * An unreadable or unusable message fails here, and the channel sends it to the dead letter topic; a database
     * outage is waited out ({@link Redelivery}), so a good event is never parked.
     */
    private Uni<Void> store(HandoffEvent event) {
        if (event == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("unreadable run event"));
        }
        RunEvent unsequenced = RunEvent.unsequenced(event);
        // the store is idempotent by eventId itself: its one statement skips an event already stored, before taking
        // a sequence number. A redelivery (minutes later at most: the offset is committed right after) finds the row,
        // which is kept for HANDOFF_EVENTS_RETENTION. No processed-event record besides: that cost a select and an
        // insert (a commit of its own) per event (issue 21).
        return redelivery.apply(event.eventType() + " " + event.eventId(), () -> store.store(unsequenced, event.occurredAt())
                        .invoke(sequence -> {
                            if (sequence.isPresent()) {
                                Log.debugf("stored %s %s of workspace %s as %d", event.eventType(),
                                        event.eventId(), event.workspaceId(), sequence.get());
                            } else {
                                Log.debugf("%s %s already stored", event.eventType(), event.eventId());
                            }
                        }))
                .replaceWithVoid();
    }
}
