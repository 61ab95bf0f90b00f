package dev.handoff.notify.sse;

import dev.handoff.notify.RunEvent;
import java.util.concurrent.CompletionStage;

/** The wire to one client. Each stage completes when the bytes are handed to the network (or fails). */
public interface ClientChannel {

    /** {@code id: <sequence>}, {@code event: <type>}, {@code data: <event JSON>}. */
    CompletionStage<?> send(RunEvent event);

    /** A comment line ({@code : text}), which EventSource ignores; {@code retryMillis} > 0 adds {@code retry:}. */
    CompletionStage<?> comment(String text, long retryMillis);

    /** Ends the response; harmless when the client is already gone. */
    void close();
}
