package dev.handoff.tasks.messaging;

import dev.handoff.events.PullRequestOpened;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.tasks.service.AgentRunProjection;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes the run service's events into the tasks' agent run projection, one transaction per message. A broken
 * message (unreadable, or lacking what every event has) fails at once and the channel's dead-letter strategy moves it
 * to {@code <topic>.dlq} (see application.properties) without blocking the partition; any other failure (the database
 * briefly unreachable, a lock conflict) is retried a few times first, so a good event is not parked for a hiccup.
 */
@ApplicationScoped
public class RunEventsConsumer {

    public static final String RUN_STATUS_CHANGED = "run-status-changed";
    public static final String PULL_REQUEST_OPENED = "pull-request-opened";
    private static final int RETRIES = 3;
    private static final Predicate<Throwable> TRANSIENT = failure -> !(failure instanceof IllegalArgumentException);

    private final AgentRunProjection projection;
    private volatile boolean stopping;

    public RunEventsConsumer(AgentRunProjection projection) {
        this.projection = projection;
    }

    @Incoming(RUN_STATUS_CHANGED)
    public Uni<Void> onRunStatusChanged(RunStatusChanged event) {
        return inTransaction(() -> projection.apply(event));
    }

    @Incoming(PULL_REQUEST_OPENED)
    public Uni<Void> onPullRequestOpened(PullRequestOpened event) {
        return inTransaction(() -> projection.apply(event));
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /** Each attempt is a fresh session and transaction; the deferred supplier makes a retry start over. */
    private Uni<Void> inTransaction(Supplier<Uni<Void>> work) {
        return Uni.createFrom().deferred(() -> Panache.withTransaction(work))
                .onFailure(failure -> TRANSIENT.test(failure) && !stopping)
                .invoke(failure -> Log.warnf("applying a run event failed, retrying: %s", failure.toString()))
                .onFailure(failure -> TRANSIENT.test(failure) && !stopping)
                .retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(2)).atMost(RETRIES)
                // during shutdown the database pool closes before the consumer: leave the message unacknowledged
                // (its offset is not committed, so it is redelivered after the restart) rather than park a good event
                .onFailure(failure -> TRANSIENT.test(failure) && stopping)
                .recoverWithUni(failure -> {
                    Log.debugf("not applying a run event while stopping: %s", failure.toString());
                    return Uni.createFrom().nothing();
                });
    }
}
