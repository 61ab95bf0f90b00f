package dev.handoff.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Only what the producer will refuse every time is parked; an outage is retried. */
class UnpublishableTest {

    @Test
    void tooLargeAndUnserializableRecordsAreUnpublishableHoweverWrapped() {
        assertTrue(Unpublishable.is(new CompletionException(new RecordTooLargeException("The message is 5242880 bytes"))));
        assertTrue(Unpublishable.is(new RuntimeException(new SerializationException("bad"))));
        assertEquals("RecordTooLargeException: The message is 5242880 bytes",
                Unpublishable.describe(new CompletionException(new RecordTooLargeException("The message is 5242880 bytes"))));
    }

    @Test
    void brokerOutagesAndTimeoutsAreNot() {
        assertFalse(Unpublishable.is(new org.apache.kafka.common.errors.TimeoutException("expired")));
        assertFalse(Unpublishable.is(new TimeoutException()));
        assertFalse(Unpublishable.is(new NotLeaderOrFollowerException("moved")));
        assertFalse(Unpublishable.is(new IllegalStateException("channel not ready")));
    }

    @Test
    void aDescriptionIsBounded() {
        assertEquals(500, Unpublishable.describe(new RecordTooLargeException("x".repeat(2000))).length());
    }
}
