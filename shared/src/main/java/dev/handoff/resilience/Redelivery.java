package dev.handoff.resilience;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How every consumer of every service applies one message:
 * <ul>
 * <li>an outage or a lost race ({@link Outage#passes}) is retried with backoff for as long as it lasts: the message waits, its partition
 * waits behind it, nothing is dead-lettered (a database restart must not park good events);</li>
 * <li>any other failure is retried a few times (a bug or a poison message does not get better), then the channel's
 * dead-letter strategy moves the message to {@code <topic>.dlq};</li>
 * <li>while the service stops, a failed message is left unacknowledged, so it is redelivered after the restart.</li>
 * </ul>
 * Each attempt starts over from the supplier (a fresh transaction) and may take at most {@link #ATTEMPT_TIMEOUT}.
 */
@ApplicationScoped
public class Redelivery {

    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_OUTAGE_BACKOFF = Duration.ofSeconds(5);
    private static final int OTHER_RETRIES = 3;

    private volatile boolean stopping;

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /** Applies {@code work} for one message; {@code what} names it in the log (no payloads, no secrets). */
    public <T> Uni<T> apply(String what, Supplier<Uni<? extends T>> work) {
        return Uni.createFrom().<T>deferred(work)
                .ifNoItem().after(ATTEMPT_TIMEOUT).failWith(() -> new Unavailable("an attempt at " + what, null))
                .onFailure(failure -> Outage.passes(failure) && !stopping)
                .invoke(failure -> Log.warnf("%s waits for an outage to pass: %s", what, failure.toString()))
                .onFailure(failure -> Outage.passes(failure) && !stopping)
                .retry().withBackOff(FIRST_BACKOFF, MAX_OUTAGE_BACKOFF).indefinitely()
                .onFailure(failure -> !Outage.passes(failure) && !(failure instanceof IllegalArgumentException) && !stopping)
                .invoke(failure -> Log.warnf("%s failed, retrying: %s", what, failure.toString()))
                .onFailure(failure -> !Outage.passes(failure) && !(failure instanceof IllegalArgumentException) && !stopping)
                .retry().withBackOff(FIRST_BACKOFF, Duration.ofSeconds(2)).atMost(OTHER_RETRIES)
                // the database pool may close before the consumer does: leave the message unacknowledged (its offset
                // is not committed, so it is redelivered after the restart) rather than park a good event
                .onFailure(failure -> stopping && !(failure instanceof IllegalArgumentException))
                .recoverWithUni(failure -> {
                    Log.debugf("not applying %s while stopping: %s", what, failure.toString());
                    return Uni.createFrom().nothing();
                });
    }

    public boolean stopping() {
        return stopping;
    }
}
