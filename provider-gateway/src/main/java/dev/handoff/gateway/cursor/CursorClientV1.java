package dev.handoff.gateway.cursor;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.handoff.gateway.cursor.CursorClient.Prompt;
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

/**
 * Cursor's Cloud Agents API v1 (public beta) as published (https://cursor.com/docs/cloud-agent/api/endpoints and its
 * OpenAPI), with its JSON as records: a durable agent, and one run per prompt. Errors are
 * {@code {"error": {"code", "message"}}}. Used only through {@link CursorApiV1}, which also reads a run's event stream
 * ({@code GET /v1/agents/{id}/runs/{runId}/stream}, Server-Sent Events). {@code prompt} and {@code /me} are as in v0
 * ({@link CursorClient}).
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
interface CursorClientV1 {

    /** {@code GET /v1/me}: 200 when Cursor accepts the key. Body: {@link CursorClient.Me} (the same as v0's). */
    @GET
    @Path("/me")
    Uni<Response> me(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);

    /** {@code POST /v1/agents}: creates the agent and enqueues its first run. Body: {@link Created}. */
    @POST
    @Path("/agents")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> create(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, CreateRequest create);

    /** {@code GET /v1/agents/{id}}: the {@link Agent} (its {@code latestRunId}; statuses live on runs). */
    @GET
    @Path("/agents/{id}")
    Uni<Response> agent(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String agentId);

    /** {@code POST /v1/agents/{id}/runs}: a follow-up prompt as a new run; 409 {@code agent_busy} while one is active. */
    @POST
    @Path("/agents/{id}/runs")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> createRun(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String agentId,
            RunRequest run);

    /** {@code GET /v1/agents/{id}/runs/{runId}}: the {@link Run}. */
    @GET
    @Path("/agents/{id}/runs/{runId}")
    Uni<Response> run(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String agentId,
            @PathParam("runId") String runId);

    /** {@code POST /v1/agents/{id}/runs/{runId}/cancel}: 409 {@code run_not_cancellable} once it ended. */
    @POST
    @Path("/agents/{id}/runs/{runId}/cancel")
    Uni<Response> cancel(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String agentId,
            @PathParam("runId") String runId);

    /** {@code GET /v1/agents/{id}/usage?runId=}: the tokens the agent's runs used. Body: {@link AgentUsage}. */
    @GET
    @Path("/agents/{id}/usage")
    Uni<Response> usage(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String agentId,
            @QueryParam("runId") String runId);

    // ---- Cursor's JSON ----

    /**
     * The body of {@code POST /v1/agents}. {@code agentId} ({@code bc-<uuid>}) is chosen by the gateway from the run's
     * id: the same run can never create a second agent (Cursor answers 409 {@code agent_id_conflict}). Fields left null
     * are not sent.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CreateRequest(Prompt prompt, Model model, String name, List<Repo> repos, Boolean workOnCurrentBranch,
            Boolean autoCreatePR, String agentId) {

        /** Without the prompt: safe to log. */
        @Override
        public String toString() {
            return "CreateRequest[agentId=" + agentId + ", repos=" + repos + ", model=" + model + "]";
        }
    }

    /** The body of {@code POST /v1/agents/{id}/runs}. */
    record RunRequest(Prompt prompt) {
    }

    /** {@code model.id}: a model of {@code GET /v1/models}; left out for the account's default. */
    record Model(String id) {
    }

    /** {@code repos[]}: the GitHub repository and the ref the agent starts from. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Repo(String url, String startingRef) {
    }

    /** The answer of {@code POST /v1/agents}: the agent and its first run. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Created(Agent agent, Run run) {
    }

    /** The answer of {@code POST /v1/agents/{id}/runs}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record RunCreated(Run run) {
    }

    /** An agent: {@code status} ACTIVE, IDLE or ARCHIVED; its page; its newest run. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Agent(String id, String name, String status, String url, String latestRunId) {
    }

    /**
     * A run: {@code status} CREATING, RUNNING, FINISHED, ERROR, CANCELLED or EXPIRED; once ended its final reply
     * ({@code result}), its duration and the agent's pushed branches and pull requests ({@code git}).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Run(String id, String agentId, String status, Long durationMs, String result, Git git) {
    }

    /** {@code git.branches[]}: the agent's pushed branches (per agent, not per run). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Git(List<Branch> branches) {

        /** The first branch with a pull request, else the first branch; null when none was pushed. */
        Branch main() {
            if (branches == null || branches.isEmpty()) {
                return null;
            }
            return branches.stream().filter(b -> b.prUrl() != null).findFirst().orElse(branches.get(0));
        }
    }

    /** One pushed branch: {@code repoUrl} without the scheme, the branch, and its pull request when opened. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Branch(String repoUrl, String branch, String prUrl) {
    }

    /** {@code GET /v1/agents/{id}/usage}: the agent's total and each run's tokens (and cost where Cursor reports it). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record AgentUsage(Tokens totalUsage, List<RunUsage> runs) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record RunUsage(String id, Tokens usage, Cost cost) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Tokens(Long inputTokens, Long outputTokens, Long cacheWriteTokens, Long cacheReadTokens, Long totalTokens) {
    }

    /** Not in the published OpenAPI, but returned by Cursor and typed by its SDK: read when present. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Cost(Double rawCostCents, Double chargedCents) {
    }

}
