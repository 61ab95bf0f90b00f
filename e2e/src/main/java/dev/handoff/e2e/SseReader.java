package dev.handoff.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/** Reads a {@code text/event-stream} body line by line, as EventSource does, and hands over each event and comment. */
public final class SseReader {

    /** What a stream carries: events ({@code id} may be null) and comment lines (EventSource ignores those). */
    public interface Listener {

        void event(String id, String name, String data);

        default void comment(String text) {
        }
    }

    /** Reads until the stream ends or {@code stop} says so. */
    public static void read(InputStream in, BooleanSupplier stop, Listener listener) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = new StringBuilder();
            String line;
            while (!stop.getAsBoolean() && (line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        listener.event(id, name, data.toString());
                    }
                    id = null;
                    name = null;
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    listener.comment(line.substring(1).trim());
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
        }
    }

    private SseReader() {
    }
}
