package dev.handoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An asynchronous HTTP/1.1 client (Vert.x) for the load: keep-alive connections, a large pool, no pipelining. */
final class Http implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;

    Http(Vertx vertx, int maxConnections) {
        this.client = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true)
                        .setPipelining(false)
                        .setConnectTimeout(10_000)
                        .setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(maxConnections).setMaxWaitQueueSize(-1));
    }

    /** An answer: status, body, Location header and the moment (System.nanoTime) the whole body had arrived. */
    record Reply(int status, String body, String location, long arrivedNanos) {

        JsonNode json() {
            try {
                return body == null || body.isBlank() ? null : JSON.readTree(body);
            } catch (Exception e) {
                return null;
            }
        }

        /** "HTTP 409 run-already-active": the status with the problem code when the body is problem+json. */
        String kind() {
            JsonNode json = json();
            String code = json == null ? null : json.path("code").asText(null);
            return "HTTP " + status + (code == null ? "" : " " + code);
        }
    }

    CompletableFuture<Reply> send(HttpMethod method, int port, String path, Map<String, String> headers, String body) {
        return send(method, "127.0.0.1", port, path, headers, body == null ? null : Buffer.buffer(body));
    }

    CompletableFuture<Reply> send(HttpMethod method, String host, int port, String path, Map<String, String> headers,
            Buffer body) {
        RequestOptions options = new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(path)
                .setIdleTimeout(60_000);
        headers.forEach(options::putHeader);
        CompletableFuture<Reply> answer = new CompletableFuture<>();
        client.request(options)
                .compose(request -> body == null ? request.send() : request.send(body))
                .compose(response -> response.body().map(buffer -> new Reply(response.statusCode(), buffer.toString(),
                        response.getHeader("Location"), System.nanoTime())))
                .onSuccess(answer::complete)
                .onFailure(answer::completeExceptionally);
        return answer;
    }

    /** The blocking form, for set-up steps. */
    Reply call(HttpMethod method, int port, String path, Map<String, String> headers, String body) {
        try {
            return send(method, port, path, headers, body).get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e, e);
        }
    }

    static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json", "Accept", "application/json");
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
