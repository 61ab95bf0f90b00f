package dev.handoff.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A client of the four services' public APIs, as a frontend would use them: REST with a bearer token and SSE. */
public final class HandoffClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Ports ports;
    private final String token;

    public HandoffClient(Ports ports, String token) {
        this.ports = ports;
        this.token = token;
    }

    /** Where the services listen. */
    public record Ports(int tasks, int runs, int gateway, int notifications) {
        public static Ports withOffset(int offset) {
            return new Ports(8081 + offset, 8082 + offset, 8083 + offset, 8084 + offset);
        }
    }

    /** A response: its status, the parsed JSON body (or null) and the Location header. */
    public record Reply(int status, JsonNode body, String location, String raw) {
        public Reply expect(int expected) {
            if (status != expected) {
                throw new IllegalStateException("expected HTTP " + expected + " but got " + status + ": " + raw);
            }
            return this;
        }
    }

    public Reply get(int port, String path) {
        return send(request(port, path).GET());
    }

    public Reply post(int port, String path, Object body) {
        return send(request(port, path).POST(bodyOf(body)).header("Content-Type", "application/json"));
    }

    public Reply put(int port, String path, Object body) {
        return send(request(port, path).PUT(bodyOf(body)).header("Content-Type", "application/json"));
    }

    public Ports ports() {
        return ports;
    }

    /** Opens the event stream; events are queued as they arrive, until {@link EventStream#close()}. */
    public EventStream events(String query) {
        return new EventStream(URI.create("http://127.0.0.1:" + ports.notifications() + "/api/events" + query), token);
    }

    private HttpRequest.Builder request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private static HttpRequest.BodyPublisher bodyOf(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String raw = response.body();
            JsonNode body = raw == null || raw.isBlank() ? null : parse(raw);
            return new Reply(response.statusCode(), body, response.headers().firstValue("Location").orElse(null), raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String raw) {
        try {
            return JSON.readTree(raw);
        } catch (IOException e) {
            return null;
        }
    }

    /** One server-sent event. */
    public record Event(String id, String name, JsonNode data) {
    }

    /** A live SSE connection read on its own thread. */
    public static final class EventStream implements AutoCloseable {

        private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final Thread reader;
        private volatile boolean closed;
        private volatile int status;
        private volatile java.io.InputStream body;

        EventStream(URI uri, String token) {
            reader = new Thread(() -> read(uri, token), "sse-" + uri.getQuery());
            reader.setDaemon(true);
            reader.start();
        }

        public Event next(Duration timeout) throws InterruptedException {
            return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        public int status() {
            return status;
        }

        private void read(URI uri, String token) {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "text/event-stream")
                    .GET().build();
            try {
                HttpResponse<java.io.InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                status = response.statusCode();
                body = response.body();
                SseReader.read(body, () -> closed, (id, name, data) -> events.add(new Event(id, name, parse(data))));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("event stream ended: " + e.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            closed = true;
            try {
                if (body != null) {
                    body.close();
                }
            } catch (IOException ignored) {
                // closing a stream the server may already have ended
            }
            reader.interrupt();
        }
    }
}
