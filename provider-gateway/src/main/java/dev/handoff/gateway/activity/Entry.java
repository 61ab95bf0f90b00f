package dev.handoff.gateway.activity;

import dev.handoff.gateway.provider.ActivityKind;
import java.time.Instant;

/** An entry cleaned and waiting for its number: numbers are handed out when its batch is written. */
record Entry(Instant at, ActivityKind kind, String text) {

    /** What the entry weighs in an event's JSON (UTF-8, escapes included, plus its other fields), for sizing batches. */
    int jsonBytes() {
        int bytes = 80;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\' || c == '\n' || c == '\t') {
                bytes += 2;
            } else if (c < 0x20) {
                bytes += 6;
            } else if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800 || Character.isSurrogate(c)) {
                bytes += 2; // a surrogate pair is 4 bytes: 2 per char
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    @Override
    public String toString() {
        return "Entry[" + kind + ", " + text.length() + " chars]";
    }
}
