package dev.handoff.notify.support;

import io.vertx.core.http.HttpConnection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** What one SSE client has received so far; filled by {@link SseClient} on its event loop. */
public final class SseStream implements AutoCloseable {

    /** One dispatched event: the fields of one block of lines ended by a blank line. */
    public record Event(String id, String event, String data, long receivedAtNanos) {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<String> comments = new CopyOnWriteArrayList<>();
    private final StringBuilder body = new StringBuilder();
    private final CompletableFuture<Integer> status = new CompletableFuture<>();
    private final CompletableFuture<Void> live = new CompletableFuture<>();
    private final CompletableFuture<Event> firstEvent = new CompletableFuture<>();
    private volatile String contentType;
    private volatile String retryAfter;
    private volatile boolean ended;
    private volatile HttpConnection connection;
    private volatile boolean closedByUs;

    // the block being read
    private String id;
    private String event;
    private StringBuilder data;

    void attach(HttpConnection connection) {
        this.connection = connection;
        if (closedByUs) {
            connection.close();
        }
    }

    void headers(int statusCode, String contentType, String retryAfter) {
        this.contentType = contentType;
        this.retryAfter = retryAfter;
        status.complete(statusCode);
    }

    void failed(Throwable failure) {
        status.completeExceptionally(failure);
        ended = true;
    }

    void ended() {
        ended = true;
    }

    void raw(String text) {
        synchronized (body) {
            body.append(text);
        }
    }

    void line(String raw) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        if (line.isEmpty()) {
            if (data != null) {
                Event dispatched = new Event(id, event == null ? "message" : event, data.toString(), System.nanoTime());
                events.add(dispatched);
                firstEvent.complete(dispatched);
            }
            id = null;
            event = null;
            data = null;
            return;
        }
        if (line.startsWith(":")) {
            String comment = line.substring(1).strip();
            comments.add(comment);
            if (comment.equals("connected")) {
                live.complete(null);
            }
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "id" -> id = value;
            case "event" -> event = value;
            case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            default -> {
            }
        }
    }

    public CompletableFuture<Integer> status() {
        return status;
    }

    public int statusCode() {
        return status.join();
    }

    public String contentType() {
        return contentType;
    }

    /** The answer's Retry-After header, or null. */
    public String retryAfter() {
        return retryAfter;
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    public List<String> comments() {
        return List.copyOf(comments);
    }

    /** The server says the stream is live (any replay is done). */
    public boolean isLive() {
        return live.isDone();
    }

    public CompletableFuture<Void> live() {
        return live;
    }

    public CompletableFuture<Event> firstEvent() {
        return firstEvent;
    }

    public boolean hasEnded() {
        return ended;
    }

    /** The raw text received (for error bodies). */
    public String body() {
        synchronized (body) {
            return body.toString();
        }
    }

    /** Hangs up, as a closed browser tab would. */
    @Override
    public void close() {
        closedByUs = true;
        HttpConnection current = connection;
        if (current != null) {
            current.close();
        }
    }
}
