package dev.handoff.outbox;

import dev.handoff.resilience.Causes;
import java.util.Set;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Tells an event the producer will refuse every time (too large, not serializable, refused by the broker as a
 * record) from a send that failed for now (broker away, timeout, authorization being set up). Only the former is
 * parked; anything else stays unsent and is tried again, as an outage must be.
 */
public final class Unpublishable {

    private static final Set<Class<? extends Throwable>> NEVER = Set.of(RecordTooLargeException.class,
            RecordBatchTooLargeException.class, SerializationException.class, InvalidRecordException.class);

    /** True when the failure, or anything it wraps, says that this record will never be accepted. */
    public static boolean is(Throwable failure) {
        return Causes.any(failure, t -> NEVER.stream().anyMatch(type -> type.isInstance(t)));
    }

    /** What the parked row and the log say about the failure: its type and message, at most 500 characters. */
    static String describe(Throwable failure) {
        Throwable cause = Causes.first(failure, t -> NEVER.stream().anyMatch(type -> type.isInstance(t))).orElse(failure);
        String text = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return text.length() > 500 ? text.substring(0, 500) : text;
    }

    private Unpublishable() {
    }
}
