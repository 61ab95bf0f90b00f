package dev.handoff.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;
import java.util.concurrent.CompletableFuture;

/**
 * One browser-like client of {@code GET /api/events}: a kept-open HTTP response parsed as server-sent events. Each
 * event is handed over with the moment (System.nanoTime) its bytes arrived, taken before any parsing.
 */
final class SseClient {

    /** What a stream reports. */
    interface Listener {
        void onEvent(String event, String id, String data, long arrivedNanos);

        default void onClosed(String why) {
        }
    }

    /** A client pool for streams: one connection per stream, never timed out while idle. */
    static HttpClient pool(Vertx vertx, int streams) {
        return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(30_000)
                .setIdleTimeout(0).setTcpNoDelay(true), new PoolOptions().setHttp1MaxSize(streams + 8).setMaxWaitQueueSize(-1));
    }

    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private volatile HttpClientResponse response;
    private volatile boolean closed;
    private long chunkNanos;
    private String event;
    private String id;
    private final StringBuilder data = new StringBuilder();

    private SseClient() {
    }

    /** Opens the stream; {@link #connected()} completes on the service's ": connected" comment (the stream is live). */
    static SseClient open(HttpClient client, int port, String path, String token, Listener listener) {
        SseClient sse = new SseClient();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
                .setURI(path).putHeader("Authorization", "Bearer " + token).putHeader("Accept", "text/event-stream");
        // the handlers are attached by a listener registered on the request's event loop (inside compose), so it runs
        // as the headers arrive; registered from this thread it would run later, after the first bytes were dropped
        client.request(options).compose(request -> request.send().onSuccess(response -> {
            sse.response = response;
            if (response.statusCode() != 200) {
                sse.connected.completeExceptionally(new IllegalStateException("GET " + path + " answered " + response.statusCode()));
                response.body();
                return;
            }
            RecordParser lines = RecordParser.newDelimited("\n", line -> sse.line(line.toString(), listener));
            response.handler(chunk -> {
                sse.chunkNanos = System.nanoTime();
                lines.handle(chunk);
            });
            response.endHandler(ended -> {
                if (!sse.closed) {
                    listener.onClosed("the service ended the stream");
                }
            });
            response.exceptionHandler(failure -> {
                if (!sse.closed) {
                    listener.onClosed(failure.toString());
                }
            });
        })).onFailure(failure -> {
            sse.connected.completeExceptionally(failure);
            listener.onClosed(failure.toString());
        });
        return sse;
    }

    CompletableFuture<Void> connected() {
        return connected;
    }

    private void line(String raw, Listener listener) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        if (line.isEmpty()) {
            if (data.length() > 0) {
                listener.onEvent(event, id, data.toString(), chunkNanos);
            }
            event = null;
            id = null;
            data.setLength(0);
        } else if (line.startsWith(":")) {
            if (line.contains("connected")) {
                connected.complete(null);
            }
        } else if (line.startsWith("data:")) {
            if (data.length() > 0) {
                data.append('\n');
            }
            data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
        } else if (line.startsWith("event:")) {
            event = line.substring(6).trim();
        } else if (line.startsWith("id:")) {
            id = line.substring(3).trim();
        }
    }

    void close() {
        closed = true;
        HttpClientResponse r = response;
        if (r != null) {
            r.request().connection().close();
        }
    }
}
