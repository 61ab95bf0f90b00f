package dev.handoff.tasks.messaging;

import dev.handoff.events.HandoffEvent;
import dev.handoff.events.PullRequestOpened;
import dev.handoff.resilience.Redelivery;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.tasks.service.AgentRunProjection;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes the run service's events into the tasks' agent run projection, one statement (and transaction) per
 * message. A broken
 * message (unreadable, or lacking what every event has) fails at once and the channel's dead-letter strategy moves it
 * to {@code <topic>.dlq} (see application.properties) without blocking the partition; a database outage or a lock
 * conflict is waited out ({@link Redelivery}), so a good event is never parked for a hiccup.
 */
@ApplicationScoped
public class RunEventsConsumer {

    public static final String RUN_STATUS_CHANGED = "run-status-changed";
    public static final String PULL_REQUEST_OPENED = "pull-request-opened";

    private final AgentRunProjection projection;
    private final Redelivery redelivery;

    public RunEventsConsumer(AgentRunProjection projection, Redelivery redelivery) {
        this.projection = projection;
        this.redelivery = redelivery;
    }

    @Incoming(RUN_STATUS_CHANGED)
    public Uni<Void> onRunStatusChanged(RunStatusChanged event) {
        return redelivery.apply("run status change " + eventId(event), () -> projection.apply(event));
    }

    @Incoming(PULL_REQUEST_OPENED)
    public Uni<Void> onPullRequestOpened(PullRequestOpened event) {
        return redelivery.apply("pull request event " + eventId(event), () -> projection.apply(event));
    }

    private static Object eventId(HandoffEvent event) {
        return event == null ? "(unreadable)" : event.eventId();
    }
}
