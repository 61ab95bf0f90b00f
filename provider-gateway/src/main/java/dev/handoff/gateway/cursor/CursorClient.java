package dev.handoff.gateway.cursor;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * Cursor's Cloud Agents API v0 as published (https://docs.cursor.com/background-agent/api), with its JSON as records.
 * Every call carries the workspace's key ({@code Authorization: Basic <key>:}). Calls answer the raw response: Cursor's
 * status codes mean something to the caller (401 a rejected key, 429 and 5xx "later"), so {@link CursorApi} reads them
 * and the body; this interface is only ever used through it.
 */
@Path("/v0")
@RegisterRestClient(configKey = "cursor")
@Produces(MediaType.APPLICATION_JSON)
interface CursorClient {

    /** {@code GET /v0/me}: who the key belongs to; 200 when Cursor accepts the key. Body: {@link Me}. */
    @GET
    @Path("/me")
    Uni<Response> me(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);

    /** {@code POST /v0/agents}: launches an agent. Body: the {@link Agent} ({@code status} CREATING). */
    @POST
    @Path("/agents")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> launch(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, LaunchRequest launch);

    /** {@code GET /v0/agents?limit=&cursor=}: one {@link AgentPage} of the key owner's agents, newest first. */
    @GET
    @Path("/agents")
    Uni<Response> agents(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @QueryParam("limit") int limit,
            @QueryParam("cursor") String cursor);

    /** {@code GET /v0/agents/{id}}: the {@link Agent}: status, target ({@code branchName}, {@code url}, {@code prUrl}), summary. */
    @GET
    @Path("/agents/{id}")
    Uni<Response> agent(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String agentId);

    /** {@code POST /v0/agents/{id}/stop}: stops a running agent. Body: {@link AgentId}. */
    @POST
    @Path("/agents/{id}/stop")
    Uni<Response> stop(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String agentId);

    /** {@code POST /v0/agents/{id}/followup}: new instructions for the same agent, on its branch. Body: {@link AgentId}. */
    @POST
    @Path("/agents/{id}/followup")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> followUp(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String agentId,
            FollowUpRequest followUp);

    /** {@code GET /v0/agents/{id}/conversation}: the agent's {@link Conversation}, oldest message first. */
    @GET
    @Path("/agents/{id}/conversation")
    Uni<Response> conversation(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String agentId);

    // ---- Cursor's JSON ----

    /** The body of {@code POST /v0/agents}. Fields left null are not sent. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record LaunchRequest(Prompt prompt, String model, Source source, Target target, Webhook webhook) {

        static LaunchRequest of(String promptText, String repository, String ref, String branchName, String model,
                String webhookUrl, String webhookSecret) {
            return new LaunchRequest(new Prompt(promptText), model, new Source(repository, ref), new Target(branchName, true),
                    webhookUrl == null ? null : new Webhook(webhookUrl, webhookSecret));
        }

        /** Without the prompt and the webhook secret: safe to log. */
        @Override
        public String toString() {
            return "LaunchRequest[source=" + source + ", target=" + target + ", model=" + model + "]";
        }
    }

    /** The body of {@code POST /v0/agents/{id}/followup}. */
    record FollowUpRequest(Prompt prompt) {
    }

    /** {@code prompt.text}: the instructions. */
    record Prompt(String text) {
    }

    /** {@code source}: the GitHub repository and the ref the agent starts from. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Source(String repository, String ref) {
    }

    /** {@code target} as sent: the branch the agent works on, and that it opens a pull request when done. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Target(String branchName, boolean autoCreatePr) {
    }

    /** {@code webhook}: where Cursor reports FINISHED and ERROR, signed with the secret. */
    record Webhook(String url, String secret) {

        @Override
        public String toString() {
            return "Webhook[url=" + url + "]";
        }
    }

    /**
     * An agent as Cursor shows it ({@code GET /v0/agents/{id}}, the launch's answer, a list item, and a
     * {@code statusChange} webhook's body). {@code status}: CREATING, RUNNING, FINISHED, ERROR, EXPIRED.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Agent(String id, String name, String status, Source source, AgentTarget target, String summary,
            String createdAt) {

        String url() {
            return target == null ? null : target.url();
        }

        String branchName() {
            return target == null ? null : target.branchName();
        }

        String prUrl() {
            return target == null ? null : target.prUrl();
        }
    }

    /** {@code target} as Cursor answers it: the agent's branch, its page, and the pull request it opened. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record AgentTarget(String branchName, String url, String prUrl, Boolean autoCreatePr) {
    }

    /** One page of {@code GET /v0/agents}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record AgentPage(List<Agent> agents, String nextCursor) {
    }

    /** The answer of stop and follow-up: the agent's id. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record AgentId(String id) {
    }

    /** {@code GET /v0/me}: the key's name and owner. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Me(String apiKeyName, String createdAt, String userEmail) {
    }

    /** {@code GET /v0/agents/{id}/conversation}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Conversation(String id, List<Message> messages) {
    }

    /** One message of a conversation; {@code type} is {@code user_message} or {@code assistant_message}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Message(String id, String type, String text) {
    }

    /**
     * Cursor's error body: v0 {@code {"error": "..."}} (some answers use {@code message}), v1
     * {@code {"error": {"code": "agent_busy", "message": "..."}}}.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ErrorBody(JsonNode error, String message) {

        static final ErrorBody NONE = new ErrorBody(null, null);

        /** The message; empty when there is none. */
        String text() {
            String text = error == null || error.isNull() ? message
                    : error.isObject() ? error.path("message").asText(message) : error.asText();
            return text == null ? "" : text;
        }

        /** v1's error code ({@code agent_busy}, {@code agent_id_conflict}, ...); null for v0. */
        String code() {
            return error != null && error.isObject() && error.hasNonNull("code") ? error.get("code").asText() : null;
        }
    }
}
