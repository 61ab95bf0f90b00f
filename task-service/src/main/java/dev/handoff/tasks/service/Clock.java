package dev.handoff.tasks.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Timestamps the service writes: millisecond precision, so a value reads back exactly as it was returned. */
final class Clock {

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private Clock() {
    }
}
