package dev.handoff.console;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Forwards {@code /api/**} to the service that owns the path, streaming both ways: request bodies are piped to the
 * service and answers (the SSE stream included) are piped back as they arrive, never buffered. The page and the API
 * thus share one origin and the services need no CORS.
 */
@ApplicationScoped
public class ApiForwarder {

    /** Hop-by-hop headers (RFC 9110 7.6.1) and the ones the client connection sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "proxy-connection");

    private final Vertx vertx;
    private final ConsoleSettings settings;
    private final Map<ApiRoutes.Service, String> bases = new EnumMap<>(ApiRoutes.Service.class);
    private HttpClient client;

    public ApiForwarder(Vertx vertx, ConsoleSettings settings) {
        this.vertx = vertx;
        this.settings = settings;
    }

    void start(@Observes StartupEvent ignored) {
        bases.put(ApiRoutes.Service.TASKS, trim(settings.tasksUrl()));
        bases.put(ApiRoutes.Service.RUNS, trim(settings.runsUrl()));
        bases.put(ApiRoutes.Service.GATEWAY, trim(settings.gatewayUrl()));
        bases.put(ApiRoutes.Service.NOTIFICATIONS, trim(settings.notificationsUrl()));
        client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setIdleTimeout((int) Math.max(1, settings.idleTimeout().toSeconds()))
                .setMaxPoolSize(settings.maxConnections())
                .setDecompressionSupported(false));
        Log.infof("forwarding /api to tasks %s, runs %s, gateway %s, notifications %s", bases.get(ApiRoutes.Service.TASKS),
                bases.get(ApiRoutes.Service.RUNS), bases.get(ApiRoutes.Service.GATEWAY),
                bases.get(ApiRoutes.Service.NOTIFICATIONS));
    }

    void routes(@Observes Router router) {
        router.route("/api/*").order(-10).handler(this::forward);
    }

    private void forward(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        var service = ApiRoutes.serviceFor(request.path());
        if (service.isEmpty()) {
            problem(request.response(), 404, "Not Found", "not-found", "No API endpoint at " + request.path());
            return;
        }
        request.pause();
        String target = bases.get(service.get()) + request.uri();
        HttpServerResponse response = request.response();
        RequestOptions options = new RequestOptions().setMethod(request.method()).setAbsoluteURI(target)
                .setFollowRedirects(false);
        client.request(options).onComplete(created -> {
            if (created.failed()) {
                request.resume();
                unavailable(response, service.get(), created.cause());
                return;
            }
            HttpClientRequest outgoing = created.result();
            copyHeaders(request.headers(), outgoing.headers());
            outgoing.putHeader("X-Forwarded-Host", request.authority() == null ? "" : request.authority().toString());
            outgoing.putHeader("X-Forwarded-Proto", request.scheme());
            // a browser that goes away (a closed EventSource) ends the stream to the service too
            response.closeHandler(v -> outgoing.reset());
            boolean hasBody = request.headers().contains(HttpHeaders.CONTENT_LENGTH)
                    || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
            var sent = hasBody ? outgoing.send(request) : outgoing.send();
            if (!hasBody) {
                request.resume();
            }
            sent.onComplete(answered -> {
                if (answered.failed()) {
                    unavailable(response, service.get(), answered.cause());
                    return;
                }
                relay(answered.result(), response);
            });
        });
    }

    private void relay(HttpClientResponse answer, HttpServerResponse response) {
        if (response.ended() || response.closed()) {
            answer.request().reset();
            return;
        }
        response.setStatusCode(answer.statusCode());
        response.setStatusMessage(answer.statusMessage());
        copyHeaders(answer.headers(), response.headers());
        int status = answer.statusCode();
        boolean bodyless = status == 204 || status == 304 || status < 200;
        if (!bodyless && !answer.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            response.setChunked(true);
        }
        String type = answer.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null && type.startsWith("text/event-stream")) {
            // keep intermediaries (and nginx-like ingresses) from holding the stream back
            response.putHeader("X-Accel-Buffering", "no");
            response.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        }
        answer.pipeTo(response).onFailure(e -> {
            if (!response.closed()) {
                response.reset();
            }
        });
    }

    private static void copyHeaders(MultiMap from, MultiMap to) {
        for (var header : from) {
            if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                to.add(header.getKey(), header.getValue());
            }
        }
    }

    private void unavailable(HttpServerResponse response, ApiRoutes.Service service, Throwable cause) {
        Log.warnf("forwarding to %s failed: %s", service, cause.getMessage());
        problem(response, 502, "Bad Gateway", "service-unavailable",
                "The " + service.name().toLowerCase(Locale.ROOT) + " service cannot be reached; try again shortly.");
    }

    private static void problem(HttpServerResponse response, int status, String title, String code, String detail) {
        if (response.headWritten() || response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                .end(new JsonObject().put("type", "about:blank").put("title", title).put("status", status)
                        .put("detail", detail).put("code", code).encode());
    }

    private static String trim(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
