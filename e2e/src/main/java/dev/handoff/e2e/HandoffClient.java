package dev.handoff.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /** A POST with extra headers (an {@code Idempotency-Key}, ...). */
    public Reply post(int port, String path, Object body, Map<String, String> headers) {
        HttpRequest.Builder request = request(port, path).POST(bodyOf(body)).header("Content-Type", "application/json");
        headers.forEach(request::header);
        return send(request);
    }

    public Reply put(int port, String path, Object body) {
        return send(request(port, path).PUT(bodyOf(body)).header("Content-Type", "application/json"));
    }

    public Ports ports() {
        return ports;
    }

    /** Opens the event stream; events are queued as they arrive, until {@link EventStream#close()}. */
    public EventStream events(String query) {
        return events(query, Map.of());
    }

    /** As {@link #events(String)}, with headers of the request (a {@code Last-Event-ID}, ...). */
    public EventStream events(String query, Map<String, String> headers) {
        return new EventStream("http://127.0.0.1:" + ports.notifications(), "/api/events" + query, token, headers);
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

    /** A live SSE connection ({@link SseClient}, with a Vert.x of its own that closes with it). */
    public static final class EventStream implements AutoCloseable {

        private final SseClient client;
        private final SseStream stream;

        EventStream(String baseUrl, String pathAndQuery, String token, Map<String, String> headers) {
            client = SseClient.of(baseUrl, 1);
            Map<String, String> sent = new LinkedHashMap<>(headers);
            sent.put("Authorization", "Bearer " + token);
            stream = client.open(pathAndQuery, sent);
        }

        /** Waits until the server said the stream is live (any replay is sent); fails after {@code timeout}. */
        public void awaitLive(Duration timeout) throws Exception {
            stream.live().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** The next event not yet taken, waiting up to {@code timeout}; null when none came. */
        public SseStream.Event next(Duration timeout) throws InterruptedException {
            return stream.next(timeout);
        }

        /** The HTTP status of the answer, 0 while there is none. */
        public int status() {
            return stream.status().isDone() && !stream.status().isCompletedExceptionally() ? stream.status().join() : 0;
        }

        @Override
        public void close() {
            stream.close();
            client.close();
        }
    }
}
