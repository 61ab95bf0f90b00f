package dev.handoff.run.messaging;

import dev.handoff.events.EventJson;
import dev.handoff.events.HandoffEvent;
import dev.handoff.events.PullRequestOpened;
import dev.handoff.events.RunCancelRequested;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.outbox.TraceContext;
import dev.handoff.run.repository.OutboxRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Writes events into the outbox in the caller's transaction: they exist exactly when the state change they report
 * was committed. {@link OutboxRelay} publishes them, in the trace of the caller (the launch's request, the provider
 * update's consumer), which each row keeps.
 */
@ApplicationScoped
public class Outbox {

    private final OutboxRepository repository;
    private final CommandTopics commandTopics;

    public Outbox(OutboxRepository repository, CommandTopics commandTopics) {
        this.repository = repository;
        this.commandTopics = commandTopics;
    }

    public Uni<Void> append(HandoffEvent event) {
        OutboxMessage message = new OutboxMessage(event.eventId(), event.runId(), topicOf(event), event.eventType(),
                EventJson.toJson(event), Instant.now().truncatedTo(ChronoUnit.MILLIS), TraceContext.current());
        return repository.persist(message).replaceWithVoid();
    }

    String topicOf(HandoffEvent event) {
        if (event instanceof RunRequested) {
            return commandTopics.runRequested();
        } else if (event instanceof RunCancelRequested) {
            return commandTopics.runCancelRequested();
        } else if (event instanceof RunStatusChanged) {
            return Topics.RUN_STATUS_CHANGED;
        } else if (event instanceof PullRequestOpened) {
            return Topics.PULL_REQUEST_OPENED;
        }
        throw new IllegalArgumentException("this service does not publish " + event.eventType());
    }
}
