package dev.handoff.e2e.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.e2e.SseReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An EventSource-like client of {@code GET /api/events}: it keeps every event it receives and, when the connection
 * ends (a killed notification service, a dropped link), reconnects with {@code Last-Event-ID} set to the last id it
 * saw, as a browser does.
 */
public final class SseClient implements AutoCloseable {

    /** One server-sent event. */
    public record Event(long id, String name, JsonNode data) {
    }

    private final String url;
    private final String token;
    private final boolean resume;
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread reader;
    private volatile boolean closed;
    private volatile InputStream body;
    private volatile long lastId = -1;
    private volatile boolean live;

    /** Opens {@code url} (the full /api/events URL with its query); {@code resume}: reconnect when it ends. */
    public SseClient(String url, String token, Long lastEventId, boolean resume) {
        this.url = url;
        this.token = token;
        this.resume = resume;
        this.lastId = lastEventId == null ? -1 : lastEventId;
        this.reader = new Thread(this::loop, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    public List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    public List<Integer> statuses() {
        synchronized (statuses) {
            return List.copyOf(statuses);
        }
    }

    public int connections() {
        return connections.get();
    }

    /** True once the server said {@code : connected} on the current connection. */
    public boolean live() {
        return live;
    }

    private void loop() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        while (!closed) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").GET();
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            if (lastId >= 0) {
                request.header("Last-Event-ID", String.valueOf(lastId));
            }
            try {
                HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                statuses.add(response.statusCode());
                body = response.body();
                if (response.statusCode() == 200) {
                    connections.incrementAndGet();
                    read(body);
                } else {
                    body.close();
                }
            } catch (IOException e) {
                // the service is down or the stream broke: reconnect below
            } catch (InterruptedException e) {
                return;
            } finally {
                live = false;
            }
            if (!resume || closed) {
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void read(InputStream in) throws IOException {
        SseReader.read(in, () -> closed, new SseReader.Listener() {
            @Override
            public void event(String id, String name, String data) {
                long sequence = id == null ? -1 : Long.parseLong(id);
                events.add(new Event(sequence, name, RawHttp.parse(data)));
                if (sequence >= 0) {
                    lastId = sequence;
                }
            }

            @Override
            public void comment(String text) {
                if (text.contains("connected")) {
                    live = true;
                }
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (body != null) {
                body.close();
            }
        } catch (IOException ignored) {
            // the server may have ended the stream already
        }
        reader.interrupt();
    }
}
