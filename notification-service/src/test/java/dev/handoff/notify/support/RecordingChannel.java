package dev.handoff.notify.support;

import dev.handoff.notify.RunEvent;
import dev.handoff.notify.sse.ClientChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The wire to a client of a replica that has no HTTP server in this test: records what would have been written.
 * A stuck one never completes a write, as a client that stopped reading (its TCP window full) would behave.
 */
public final class RecordingChannel implements ClientChannel {

    private final boolean stuck;
    private final List<RunEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> comments = new CopyOnWriteArrayList<>();
    private volatile int writes;
    private volatile boolean closed;

    private RecordingChannel(boolean stuck) {
        this.stuck = stuck;
    }

    public static RecordingChannel reading() {
        return new RecordingChannel(false);
    }

    public static RecordingChannel stuck() {
        return new RecordingChannel(true);
    }

    @Override
    public CompletionStage<?> send(RunEvent event) {
        events.add(event);
        return written();
    }

    @Override
    public CompletionStage<?> comment(String text, long retryMillis) {
        comments.add(text);
        return written();
    }

    @Override
    public void close() {
        closed = true;
    }

    private CompletionStage<?> written() {
        writes++;
        return stuck ? new CompletableFuture<>() : CompletableFuture.completedFuture(null);
    }

    public List<RunEvent> events() {
        return List.copyOf(events);
    }

    public boolean isLive() {
        return comments.contains("connected");
    }

    public int writes() {
        return writes;
    }

    public boolean isClosed() {
        return closed;
    }
}
