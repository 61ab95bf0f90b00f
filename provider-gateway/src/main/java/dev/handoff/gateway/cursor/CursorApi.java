package dev.handoff.gateway.cursor;

import dev.handoff.events.EventJson;
import dev.handoff.gateway.cursor.CursorClient.Agent;
import dev.handoff.gateway.cursor.CursorClient.AgentId;
import dev.handoff.gateway.cursor.CursorClient.AgentPage;
import dev.handoff.gateway.cursor.CursorClient.Conversation;
import dev.handoff.gateway.cursor.CursorClient.ErrorBody;
import dev.handoff.gateway.cursor.CursorClient.FollowUpRequest;
import dev.handoff.gateway.cursor.CursorClient.LaunchRequest;
import dev.handoff.gateway.cursor.CursorClient.Me;
import dev.handoff.gateway.cursor.CursorClient.Prompt;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * Cursor's Cloud Agents API v0 for the gateway: the typed {@link CursorClient}, pointed at
 * {@code HANDOFF_CURSOR_BASE_URL} ({@link CursorConfig}), called with the workspace's key (Basic auth, the key as user name, empty password).
 * Every call answers Cursor's HTTP status with the typed body; callers decide what a status means.
 */
@ApplicationScoped
public class CursorApi {

    private final CursorClient client;

    public CursorApi(CursorConfig cursor) {
        long timeout = cursor.requestTimeout().toMillis();
        this.client = QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(cursor.baseUrl().strip().replaceAll("/+$", "")))
                .connectTimeout(timeout, TimeUnit.MILLISECONDS)
                .readTimeout(timeout, TimeUnit.MILLISECONDS)
                .followRedirects(false)
                .userAgent("handoff-provider-gateway")
                // Cursor's statuses are answers here, not exceptions: 401, 404, 429 and 5xx each mean something
                .disableDefaultMapper(true)
                .build(CursorClient.class);
    }

    /** {@code GET /v0/me}: 200 when Cursor accepts the key. */
    public Uni<Answer<Me>> me(String apiKey) {
        return client.me(basic(apiKey)).map(response -> Answer.of(response, Me.class));
    }

    /** {@code POST /v0/agents}: launches an agent; 200/201 with the agent ({@code status} CREATING). */
    public Uni<Answer<Agent>> launch(String apiKey, LaunchRequest launch) {
        return client.launch(basic(apiKey), launch).map(response -> Answer.of(response, Agent.class));
    }

    /** {@code GET /v0/agents/{id}}. */
    public Uni<Answer<Agent>> agent(String apiKey, String agentId) {
        return client.agent(basic(apiKey), agentId).map(response -> Answer.of(response, Agent.class));
    }

    /** {@code GET /v0/agents?limit=&cursor=}: one page of the key owner's agents, newest first. */
    public Uni<Answer<AgentPage>> agents(String apiKey, int limit, String cursor) {
        return client.agents(basic(apiKey), limit, cursor).map(response -> Answer.of(response, AgentPage.class));
    }

    /** {@code POST /v0/agents/{id}/stop}. */
    public Uni<Answer<AgentId>> stop(String apiKey, String agentId) {
        return client.stop(basic(apiKey), agentId).map(response -> Answer.of(response, AgentId.class));
    }

    /** {@code POST /v0/agents/{id}/followup}: new instructions for the same agent. */
    public Uni<Answer<AgentId>> followUp(String apiKey, String agentId, String promptText) {
        return client.followUp(basic(apiKey), agentId, new FollowUpRequest(new Prompt(promptText)))
                .map(response -> Answer.of(response, AgentId.class));
    }

    /** {@code GET /v0/agents/{id}/conversation}. */
    public Uni<Answer<Conversation>> conversation(String apiKey, String agentId) {
        return client.conversation(basic(apiKey), agentId).map(response -> Answer.of(response, Conversation.class));
    }

    static String basic(String apiKey) {
        return "Basic " + Base64.getEncoder().encodeToString((apiKey + ":").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Cursor's answer: the HTTP status, the body when the call succeeded (null otherwise), Cursor's error message and
     * (API v1) its error code when it did not, and {@code Retry-After} when sent.
     */
    public record Answer<T>(int status, T body, String error, String code, String retryAfter) {

        static <T> Answer<T> of(Response response, Class<T> type) {
            try (response) {
                int status = response.getStatus();
                String retryAfter = response.getHeaderString("Retry-After");
                if (status >= 200 && status < 300) {
                    return new Answer<>(status, response.hasEntity() ? response.readEntity(type) : null, null, null, retryAfter);
                }
                ErrorBody error = errorOf(response);
                return new Answer<>(status, null, error.text(), error.code(), retryAfter);
            }
        }

        /**
         * Cursor's error of a failed call: v0 {@code {"error": "..."}} (or {@code message}), v1
         * {@code {"error": {"code": "...", "message": "..."}}}; empty when the body says none.
         */
        private static ErrorBody errorOf(Response response) {
            if (!response.hasEntity()) {
                return ErrorBody.NONE;
            }
            try {
                return EventJson.fromJson(response.readEntity(String.class), ErrorBody.class);
            } catch (RuntimeException notJson) {
                return ErrorBody.NONE;
            }
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public boolean keyRejected() {
            return status == 401 || status == 403;
        }

        public boolean retryLater() {
            return status == 429 || status >= 500;
        }
    }
}
