package dev.handoff.gateway.cursor;

import dev.handoff.events.EventJson;
import dev.handoff.gateway.cursor.CursorApi.Answer;
import dev.handoff.gateway.cursor.CursorClient.ErrorBody;
import dev.handoff.gateway.cursor.CursorClientV1.AgentUsage;
import dev.handoff.gateway.cursor.CursorClientV1.Agent;
import dev.handoff.gateway.cursor.CursorClientV1.CreateRequest;
import dev.handoff.gateway.cursor.CursorClientV1.Created;
import dev.handoff.gateway.cursor.CursorClient.Me;
import dev.handoff.gateway.cursor.CursorClient.Prompt;
import dev.handoff.gateway.cursor.CursorClientV1.Run;
import dev.handoff.gateway.cursor.CursorClientV1.RunCreated;
import dev.handoff.gateway.cursor.CursorClientV1.RunRequest;
import dev.handoff.gateway.cursor.ServerSentEvents.Event;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Cursor's Cloud Agents API v1 for the gateway ({@code HANDOFF_CURSOR_API=v1}): the typed {@link CursorClientV1} for
 * the JSON calls and Vert.x's HTTP client for a run's event stream, both pointed at {@code HANDOFF_CURSOR_BASE_URL} and
 * called with the workspace's key (Basic auth, the key as user name, empty password; v1 also takes it as a Bearer
 * token). Every call answers Cursor's HTTP status with the typed body or Cursor's error code; callers decide.
 */
@ApplicationScoped
public class CursorApiV1 {

    private final CursorClientV1 client;
    private final HttpClient http;
    private final URI base;

    public CursorApiV1(CursorConfig cursor, Vertx vertx) {
        long timeout = cursor.requestTimeout().toMillis();
        this.base = URI.create(cursor.baseUrl().strip().replaceAll("/+$", ""));
        this.client = QuarkusRestClientBuilder.newBuilder()
                .baseUri(base)
                .connectTimeout(timeout, TimeUnit.MILLISECONDS)
                .readTimeout(timeout, TimeUnit.MILLISECONDS)
                .followRedirects(false)
                .userAgent("handoff-provider-gateway")
                .disableDefaultMapper(true)
                .build(CursorClientV1.class);
        // a stream is quiet between events (Cursor sends a heartbeat every 15 s): idle for longer than a turn, it is gone
        int idleSeconds = (int) Math.max(30, cursor.streamWindow().toSeconds() * 2);
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) timeout)
                .setIdleTimeout(idleSeconds)
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setSsl("https".equals(base.getScheme()))
                .setTrustAll(false)
                .setVerifyHost(true));
    }

    @PreDestroy
    void close() {
        http.close().subscribe().with(nothing -> { }, failure -> { });
    }

    /** {@code GET /v1/me}. */
    public Uni<Answer<Me>> me(String apiKey) {
        return client.me(CursorApi.basic(apiKey)).map(response -> Answer.of(response, Me.class));
    }

    /** {@code POST /v1/agents}: 201 with the agent and its first run; 409 {@code agent_id_conflict} when it exists. */
    Uni<Answer<Created>> create(String apiKey, CreateRequest create) {
        return client.create(CursorApi.basic(apiKey), create).map(response -> Answer.of(response, Created.class));
    }

    /** {@code GET /v1/agents/{id}}. */
    Uni<Answer<Agent>> agent(String apiKey, String agentId) {
        return client.agent(CursorApi.basic(apiKey), agentId).map(response -> Answer.of(response, Agent.class));
    }

    /** {@code POST /v1/agents/{id}/runs}: the follow-up's run; 409 {@code agent_busy} while another one is active. */
    Uni<Answer<RunCreated>> createRun(String apiKey, String agentId, String promptText) {
        return client.createRun(CursorApi.basic(apiKey), agentId, new RunRequest(new Prompt(promptText)))
                .map(response -> Answer.of(response, RunCreated.class));
    }

    /** {@code GET /v1/agents/{id}/runs/{runId}}. */
    Uni<Answer<Run>> run(String apiKey, String agentId, String runId) {
        return client.run(CursorApi.basic(apiKey), agentId, runId).map(response -> Answer.of(response, Run.class));
    }

    /** {@code POST /v1/agents/{id}/runs/{runId}/cancel}. */
    Uni<Answer<Void>> cancel(String apiKey, String agentId, String runId) {
        return client.cancel(CursorApi.basic(apiKey), agentId, runId).map(response -> Answer.of(response, Void.class));
    }

    /** {@code GET /v1/agents/{id}/usage?runId=}. */
    Uni<Answer<AgentUsage>> usage(String apiKey, String agentId, String runId) {
        return client.usage(CursorApi.basic(apiKey), agentId, runId).map(response -> Answer.of(response, AgentUsage.class));
    }

    /**
     * {@code GET /v1/agents/{id}/runs/{runId}/stream} with {@code Last-Event-ID} when given: on 200 the run's events as
     * they come (the Multi ends when Cursor closes the stream, fails when the connection drops); otherwise Cursor's
     * status and error code (410 {@code stream_expired}, 400 {@code invalid_last_event_id}, ...).
     */
    Uni<Stream> stream(String apiKey, String agentId, String runId, String lastEventId) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(base.getHost())
                .setPort(base.getPort() > 0 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80)
                .setURI(base.getRawPath() + "/v1/agents/" + encode(agentId) + "/runs/" + encode(runId) + "/stream")
                .putHeader("Authorization", CursorApi.basic(apiKey))
                .putHeader("Accept", "text/event-stream")
                .putHeader("User-Agent", "handoff-provider-gateway");
        if (lastEventId != null) {
            options.putHeader("Last-Event-ID", lastEventId);
        }
        return http.request(options)
                .chain(request -> request.send())
                .chain(response -> {
                    int status = response.statusCode();
                    String retryAfter = response.getHeader("Retry-After");
                    if (status == 200) {
                        ServerSentEvents parser = new ServerSentEvents();
                        // a stream let go before its end (the turn's window passed) takes its connection with it
                        Multi<Event> events = response.toMulti()
                                .onItem().transformToIterable(buffer -> parser.feed(buffer.getBytes()))
                                .onCancellation().invoke(() -> response.request().connection().closeAndForget());
                        return Uni.createFrom().item(new Stream(status, null, null, retryAfter, events));
                    }
                    return response.body().map(body -> {
                        ErrorBody error;
                        try {
                            error = EventJson.fromJson(body.toString(StandardCharsets.UTF_8), ErrorBody.class);
                        } catch (RuntimeException notJson) {
                            error = ErrorBody.NONE;
                        }
                        return new Stream(status, error.code(), error.text(), retryAfter, null);
                    });
                });
    }

    /** The answer of a stream request: the events on 200, else Cursor's status, error code and message. */
    record Stream(int status, String code, String error, String retryAfter, Multi<Event> events) {

        /** The same, as the {@link Answer} of a JSON call (for the shared handling of 401, 429, 5xx). */
        Answer<Void> answer() {
            return new Answer<>(status, null, error, code, retryAfter);
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
