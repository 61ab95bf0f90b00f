package dev.handoff.notify.support;

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
import java.net.URL;
import java.util.Map;

/**
 * A real SSE client over HTTP/1.1, as a browser's EventSource reads the stream: it parses {@code id:}, {@code event:},
 * {@code data:} and comment lines from the bytes on the wire. One connection per stream.
 */
public final class SseClient implements AutoCloseable {

    private final HttpClient http;
    private final String host;
    private final int port;
    private final Context context;

    public SseClient(Vertx vertx, URL base, int maxConnections) {
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setDefaultHost(base.getHost())
                .setDefaultPort(base.getPort())
                .setKeepAlive(false)
                .setIdleTimeout(0),
                new PoolOptions().setHttp1MaxSize(maxConnections).setMaxWaitQueueSize(-1));
        this.host = base.getHost();
        this.port = base.getPort();
        this.context = vertx.getOrCreateContext();
    }

    /**
     * Opens {@code GET pathAndQuery} with the given headers; the stream fills as the server writes.
     * <p>
     * Everything is wired on the client's own event loop context: a response listener registered from another thread
     * runs as a task of its own, after the bytes that arrived with the headers (a short error body, or the first
     * comment of a stream) were already read with no handler to take them, and they were lost.
     */
    public SseStream open(String pathAndQuery, Map<String, String> headers) {
        SseStream stream = new SseStream();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port)
                .setURI(pathAndQuery).putHeader("Accept", "text/event-stream");
        headers.forEach(options::putHeader);
        context.runOnContext(ignored -> http.request(options).onComplete(created -> {
            if (created.failed()) {
                stream.failed(created.cause());
                return;
            }
            HttpClientRequest request = created.result();
            stream.attach(request.connection());
            request.send().onComplete(sent -> {
                if (sent.failed()) {
                    stream.failed(sent.cause());
                    return;
                }
                HttpClientResponse response = sent.result();
                stream.headers(response.statusCode(), response.getHeader("Content-Type"),
                        response.getHeader("Retry-After"));
                RecordParser lines = RecordParser.newDelimited("\n", line -> stream.line(line.toString()));
                response.handler(bytes -> {
                    stream.raw(bytes.toString());
                    lines.handle(bytes);
                });
                response.endHandler(v -> stream.ended());
                response.exceptionHandler(e -> stream.ended());
            });
        }));
        return stream;
    }

    public SseStream open(String pathAndQuery) {
        return open(pathAndQuery, Map.of());
    }

    @Override
    public void close() {
        http.close();
    }
}
