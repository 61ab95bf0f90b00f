package dev.handoff.gateway.cursor;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code text/event-stream} (the WHATWG rules): fed the bytes as they arrive, answers the complete events.
 * Lines are decoded whole, so a character split between two chunks stays intact; {@code data:} lines join with
 * newlines, {@code :} lines are comments, a blank line dispatches, an event without a name is {@code message}. An
 * event's {@code id} is only the one its own {@code id:} line gave (Cursor's leading {@code status} event has none).
 */
final class ServerSentEvents {

    /** One event: its id (null when it had none), its name and its data. */
    record Event(String id, String name, String data) {
    }

    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder data = new StringBuilder();
    private String id;
    private String name;
    private boolean hasData;

    /** The events these bytes complete. */
    List<Event> feed(byte[] bytes) {
        List<Event> events = new ArrayList<>();
        for (byte b : bytes) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                onLine(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text, events);
            } else {
                line.write(b);
            }
        }
        return events;
    }

    private void onLine(String text, List<Event> events) {
        if (text.isEmpty()) {
            if (hasData || name != null) {
                events.add(new Event(id, name == null ? "message" : name, data.toString()));
            }
            data.setLength(0);
            hasData = false;
            id = null;
            name = null;
            return;
        }
        if (text.startsWith(":")) {
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "id" -> id = value;
            case "event" -> name = value;
            case "data" -> {
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
            }
            default -> {
                // retry: and unknown fields are ignored
            }
        }
    }
}
