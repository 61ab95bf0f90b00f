package dev.handoff.testsupport;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one test client of {@code GET /api/events}: a real SSE client over HTTP/1.1 that reads the stream as a
 * browser's EventSource does, parsing {@code id:}, {@code event:}, {@code data:} and comment lines from the bytes on
 * the wire, one connection per stream. A stream opened with {@link #openResuming} reconnects when it ends, with
 * {@code Last-Event-ID} set to the last id it saw, as EventSource does.
 */
public final class SseClient implements AutoCloseable {

    private static final long RECONNECT_MILLIS = 500;

    private final Vertx vertx;
    private final boolean ownVertx;
    private final HttpClient http;
    private final String host;
    private final int port;

    /** A client on the caller's Vert.x (a service test's, or the bench's). */
    public SseClient(Vertx vertx, URL base, int maxConnections) {
        this(vertx, false, base, maxConnections);
    }

    /** A client with a Vert.x of its own, closed with the client. */
    public SseClient(URL base, int maxConnections) {
        this(Vertx.vertx(), true, base, maxConnections);
    }

    /** A client with a Vert.x of its own for {@code http://host:port} (any path of the URL is ignored). */
    public static SseClient of(String baseUrl, int maxConnections) {
        try {
            return new SseClient(URI.create(baseUrl).toURL(), maxConnections);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(baseUrl, e);
        }
    }

    private SseClient(Vertx vertx, boolean ownVertx, URL base, int maxConnections) {
        this.vertx = vertx;
        this.ownVertx = ownVertx;
        this.http = vertx.createHttpClient(new HttpClientOptions()
                        .setDefaultHost(base.getHost())
                        .setDefaultPort(base.getPort())
                        .setKeepAlive(false)
                        .setConnectTimeout(30_000)
                        .setTcpNoDelay(true)
                        .setIdleTimeout(0),
                new PoolOptions().setHttp1MaxSize(maxConnections + 8).setMaxWaitQueueSize(-1));
        this.host = base.getHost();
        this.port = base.getPort();
    }

    /** Opens {@code GET pathAndQuery} with the given headers; the stream fills as the server writes. */
    public SseStream open(String pathAndQuery, Map<String, String> headers) {
        return open(pathAndQuery, headers, null);
    }

    public SseStream open(String pathAndQuery) {
        return open(pathAndQuery, Map.of());
    }

    /**
     * As {@link #open(String, Map)}, and every event also goes to {@code listener} as it is parsed (on the event loop);
     * a stream with a listener keeps no list of its events, so that thousands of streams stay cheap.
     */
    public SseStream open(String pathAndQuery, Map<String, String> headers, SseStream.Listener listener) {
        SseStream stream = new SseStream(listener, false);
        connect(stream, pathAndQuery, headers);
        return stream;
    }

    /**
     * A stream that reconnects {@value #RECONNECT_MILLIS} ms after each end (a killed service, a dropped link, an
     * error answer), sending {@code Last-Event-ID} once it has seen an id, until it is closed.
     */
    public SseStream openResuming(String pathAndQuery, Map<String, String> headers) {
        SseStream stream = new SseStream(null, true);
        connect(stream, pathAndQuery, headers);
        return stream;
    }

    /*
     * Everything of a connection is wired on one event loop context: a response listener registered from another
     * thread runs as a task of its own, after the bytes that arrived with the headers (a short error body, or the first
     * comment of a stream) were already read with no handler to take them, and they were lost. Opened from a plain
     * thread, each stream gets a context of its own, so that many streams spread over the event loops.
     */
    private void connect(SseStream stream, String pathAndQuery, Map<String, String> headers) {
        Context context = vertx.getOrCreateContext();
        Map<String, String> sent = new LinkedHashMap<>(headers);
        if (stream.lastEventId() != null) {
            sent.put("Last-Event-ID", stream.lastEventId());
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port)
                .setURI(pathAndQuery).putHeader("Accept", "text/event-stream");
        sent.forEach(options::putHeader);
        Runnable again = () -> {
            if (stream.resuming() && !stream.isClosed()) {
                vertx.setTimer(RECONNECT_MILLIS, id -> connect(stream, pathAndQuery, headers));
            }
        };
        context.runOnContext(ignored -> http.request(options).onComplete(created -> {
            if (created.failed()) {
                stream.failed(created.cause());
                again.run();
                return;
            }
            HttpClientRequest request = created.result();
            stream.attach(request.connection());
            request.send().onComplete(answered -> {
                if (answered.failed()) {
                    stream.failed(answered.cause());
                    again.run();
                    return;
                }
                HttpClientResponse response = answered.result();
                stream.headers(response.statusCode(), response.getHeader("Content-Type"), response.getHeader("Retry-After"));
                RecordParser lines = RecordParser.newDelimited("\n", line -> stream.line(line.toString()));
                response.handler(bytes -> {
                    stream.arrived(bytes.toString());
                    lines.handle(bytes);
                });
                response.endHandler(v -> {
                    stream.ended("the server ended the stream");
                    again.run();
                });
                response.exceptionHandler(e -> {
                    stream.ended(e.toString());
                    again.run();
                });
            });
        }));
    }

    @Override
    public void close() {
        http.close();
        if (ownVertx) {
            vertx.close();
        }
    }
}
