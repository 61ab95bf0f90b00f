package dev.handoff.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SSE client reads the wire format as EventSource does, against a small server written here. */
class SseClientTest {

    private Vertx vertx;
    private HttpServer server;
    private final List<String> lastEventIds = new CopyOnWriteArrayList<>();

    @BeforeEach
    void serve() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> {
            HttpServerResponse response = request.response();
            if (request.path().equals("/refused")) {
                response.setStatusCode(401).putHeader("Content-Type", "application/problem+json").end("{\"code\":\"unauthorized\"}");
                return;
            }
            String last = request.getHeader("Last-Event-ID");
            lastEventIds.add(last == null ? "-" : last);
            long from = last == null ? 1 : Long.parseLong(last) + 1;
            response.setChunked(true).putHeader("Content-Type", "text/event-stream");
            response.write(": connected\n\n");
            response.write("id: " + from + "\nevent: run.status-changed\ndata: {\"n\":" + from + "}\n\n");
            response.write("id: " + (from + 1) + "\r\nevent: run.pull-request-opened\r\ndata: {\"n\":\r\ndata: " + (from + 1) + "}\r\n\r\n");
            if (request.path().equals("/once")) {
                response.end();
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        vertx.close();
    }

    @Test
    void eventsCommentsAndTheLiveMarkAreReadFromTheWire() throws Exception {
        try (SseClient client = SseClient.of("http://127.0.0.1:" + server.actualPort(), 2)) {
            SseStream stream = client.open("/stream", Map.of("Authorization", "Bearer t"));
            stream.live().get(10, TimeUnit.SECONDS);
            assertEquals(200, stream.statusCode());
            assertTrue(stream.contentType().startsWith("text/event-stream"));
            SseStream.Event first = stream.next(Duration.ofSeconds(10));
            SseStream.Event second = stream.next(Duration.ofSeconds(10));
            assertEquals("1", first.id());
            assertEquals(1, first.sequence());
            assertEquals("run.status-changed", first.event());
            assertEquals(1, first.json().get("n").asInt());
            assertEquals("run.pull-request-opened", second.event());
            assertEquals("{\"n\":\n2}", second.data(), "data lines are joined with a newline");
            assertEquals(2, second.json().get("n").asInt());
            assertNull(stream.next(Duration.ofMillis(200)));
            assertEquals(List.of(first, second), stream.events());
            assertEquals(List.of("connected"), stream.comments());
            assertTrue(stream.isLive());
            stream.close();
        }
    }

    @Test
    void anErrorAnswerKeepsItsStatusTypeAndBody() throws Exception {
        try (SseClient client = new SseClient(URI.create("http://127.0.0.1:" + server.actualPort()).toURL(), 2)) {
            SseStream stream = client.open("/refused");
            assertEquals(401, stream.statusCode());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!stream.hasEnded() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(stream.hasEnded());
            assertTrue(stream.contentType().startsWith("application/problem+json"));
            assertEquals("{\"code\":\"unauthorized\"}", stream.body());
            assertTrue(stream.live().isCompletedExceptionally());
        }
    }

    @Test
    void aResumingStreamReconnectsWithTheLastIdItSaw() throws Exception {
        try (SseClient client = SseClient.of("http://127.0.0.1:" + server.actualPort(), 2)) {
            SseStream stream = client.openResuming("/once", Map.of());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (stream.events().size() < 6 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            stream.close();
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), stream.events().stream().limit(6).map(SseStream.Event::sequence).toList());
            assertEquals(List.of("-", "2", "4"), lastEventIds.subList(0, 3));
            assertTrue(stream.connections() >= 3);
        }
    }

    @Test
    void aListenerGetsEveryEventWithTheMomentItsBytesArrived() throws Exception {
        List<SseStream.Event> heard = new CopyOnWriteArrayList<>();
        try (SseClient client = new SseClient(vertx, URI.create("http://127.0.0.1:" + server.actualPort()).toURL(), 2)) {
            long before = System.nanoTime();
            SseStream stream = client.open("/stream", Map.of(), heard::add);
            stream.firstEvent().get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (heard.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(2, heard.size());
            assertTrue(heard.get(0).receivedAtNanos() > before);
            assertTrue(stream.events().isEmpty(), "a stream with a listener keeps no list");
            stream.close();
        }
    }
}
