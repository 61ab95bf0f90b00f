package dev.handoff.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What one SSE client has received so far (over all its connections); filled by {@link SseClient} on its event loop. */
public final class SseStream implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One dispatched event: the fields of one block of lines ended by a blank line; {@code event} is "message" when the
     * block named none; {@code receivedAtNanos} is when (System.nanoTime) the bytes that ended it arrived, taken
     * before any parsing.
     */
    public record Event(String id, String event, String data, long receivedAtNanos) {

        /** The id as the service's sequence number, or -1 without one. */
        public long sequence() {
            return id == null || id.isEmpty() ? -1 : Long.parseLong(id);
        }

        /** The data parsed as JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + data, e);
            }
        }
    }

    /** Receives a stream's events as they are parsed, on the client's event loop. */
    public interface Listener {

        void onEvent(Event event);

        /** The connection ended ({@code why}), unless the client closed it. */
        default void onClosed(String why) {
        }
    }

    private final Listener listener;
    private final boolean resuming;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Event> unread = new LinkedBlockingQueue<>();
    private final List<String> comments = new CopyOnWriteArrayList<>();
    private final List<Integer> statuses = new CopyOnWriteArrayList<>();
    private final StringBuilder body = new StringBuilder();
    private final CompletableFuture<Integer> status = new CompletableFuture<>();
    private final CompletableFuture<Void> live = new CompletableFuture<>();
    private final CompletableFuture<Event> firstEvent = new CompletableFuture<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile String contentType;
    private volatile String retryAfter;
    private volatile boolean ended;
    private volatile boolean liveNow;
    private volatile String lastEventId;
    private volatile HttpConnection connection;
    private volatile boolean closedByUs;

    // the block being read, and when its last bytes arrived
    private String id;
    private String event;
    private StringBuilder data;
    private long arrivedNanos;

    SseStream(Listener listener, boolean resuming) {
        this.listener = listener;
        this.resuming = resuming;
    }

    // ---- filled by the client ----

    void attach(HttpConnection connection) {
        this.connection = connection;
        if (closedByUs) {
            connection.close();
        }
    }

    void headers(int statusCode, String contentType, String retryAfter) {
        this.contentType = contentType;
        this.retryAfter = retryAfter;
        statuses.add(statusCode);
        status.complete(statusCode);
        if (statusCode == 200) {
            connections.incrementAndGet();
        } else if (!resuming) {
            live.completeExceptionally(new IllegalStateException("the stream was answered " + statusCode));
        }
        ended = false;
        liveNow = false;
        id = null;
        event = null;
        data = null;
    }

    void failed(Throwable failure) {
        status.completeExceptionally(failure);
        if (!resuming) {
            live.completeExceptionally(failure);
        }
        ended(failure.toString());
    }

    void ended(String why) {
        ended = true;
        if (listener != null && !closedByUs) {
            listener.onClosed(why);
        }
    }

    void arrived(String text) {
        arrivedNanos = System.nanoTime();
        synchronized (body) {
            if (body.length() < 1 << 20) {
                body.append(text);
            }
        }
    }

    void line(String raw) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        if (line.isEmpty()) {
            if (data != null) {
                dispatch(new Event(id, event == null ? "message" : event, data.toString(), arrivedNanos));
            }
            event = null;
            data = null;
            return;
        }
        if (line.startsWith(":")) {
            String comment = line.substring(1).strip();
            comments.add(comment);
            if (comment.equals("connected")) {
                liveNow = true;
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

    private void dispatch(Event dispatched) {
        if (dispatched.id() != null && !dispatched.id().isEmpty()) {
            lastEventId = dispatched.id();
        }
        if (listener != null) {
            listener.onEvent(dispatched);
        } else {
            events.add(dispatched);
            unread.add(dispatched);
        }
        firstEvent.complete(dispatched);
    }

    boolean resuming() {
        return resuming;
    }

    String lastEventId() {
        return lastEventId;
    }

    // ---- what tests read ----

    /** The status of the first answer. */
    public CompletableFuture<Integer> status() {
        return status;
    }

    public int statusCode() {
        return status.join();
    }

    /** The status of every answer, one per connection. */
    public List<Integer> statuses() {
        return List.copyOf(statuses);
    }

    /** How many connections were answered 200. */
    public int connections() {
        return connections.get();
    }

    public String contentType() {
        return contentType;
    }

    /** The answer's Retry-After header, or null. */
    public String retryAfter() {
        return retryAfter;
    }

    /** Every event so far, in arrival order (empty for a stream with a listener). */
    public List<Event> events() {
        return List.copyOf(events);
    }

    /** The next event not yet taken by this method, waiting up to {@code timeout}; null when none came. */
    public Event next(Duration timeout) throws InterruptedException {
        return unread.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public List<String> comments() {
        return List.copyOf(comments);
    }

    /** The server said the stream is live (any replay is done) on the current connection. */
    public boolean isLive() {
        return liveNow;
    }

    /** Completes when the server first said the stream is live. */
    public CompletableFuture<Void> live() {
        return live;
    }

    public CompletableFuture<Event> firstEvent() {
        return firstEvent;
    }

    /** The current connection has ended (a resuming stream opens another). */
    public boolean hasEnded() {
        return ended;
    }

    public boolean isClosed() {
        return closedByUs;
    }

    /** The raw text received (for error bodies), up to the first MiB. */
    public String body() {
        synchronized (body) {
            return body.toString();
        }
    }

    /** Hangs up, as a closed browser tab would; a resuming stream stops reconnecting. */
    @Override
    public void close() {
        closedByUs = true;
        HttpConnection current = connection;
        if (current != null) {
            current.close();
        }
    }
}
