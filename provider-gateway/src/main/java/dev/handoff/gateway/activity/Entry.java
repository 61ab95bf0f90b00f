package dev.handoff.gateway.activity;

import dev.handoff.gateway.provider.ActivityKind;
import java.time.Instant;

/** An entry cleaned and waiting for its number: numbers are handed out when its batch is written. */
record Entry(Instant at, ActivityKind kind, String text) {

    /** An upper bound of the entry's size in the event's JSON: UTF-8 takes at most 3 bytes per char here (no control characters are left), plus the fields. */
    int maxJsonBytes() {
        return 3 * text.length() + 80;
    }

    @Override
    public String toString() {
        return "Entry[" + kind + ", " + text.length() + " chars]";
    }
}
