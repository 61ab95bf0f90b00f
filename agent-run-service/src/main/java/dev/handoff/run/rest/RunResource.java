package dev.handoff.run.rest;

import dev.handoff.events.RunStatus;
import dev.handoff.run.Run;
import dev.handoff.run.mapping.RunMapper;
import dev.handoff.run.service.RunService;
import dev.handoff.web.Caller;
import dev.handoff.web.Problem;
import dev.handoff.web.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The runs API: HTTP only, the use cases are in {@link RunService}. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Caller.MEMBER, Caller.ADMIN})
@Tag(name = "Runs", description = "Background agent runs of tasks: launch, follow, cancel, retry, follow up")
@SecurityRequirement(name = "SecurityScheme")
@APIResponse(responseCode = "401", description = "No or invalid bearer token",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class RunResource {

    private final RunService runs;
    private final Caller caller;

    public RunResource(RunService runs, Caller caller) {
        this.runs = runs;
        this.caller = caller;
    }

    @POST
    @Path("/tasks/{taskId}/runs")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Launch a background agent on a task",
            description = "Creates a PENDING run with the task's current agent context. A task has at most one "
                    + "PENDING or RUNNING run. With an Idempotency-Key, repeating the same request answers the same run.")
    @APIResponse(responseCode = "201", description = "The new run (PENDING)",
            headers = @Header(name = "Location", description = "/api/runs/{id}"),
            content = @Content(schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "200", description = "The run an earlier request with this Idempotency-Key created",
            content = @Content(schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "400", description = "validation-failed: bad body, with violations[{field, message}]")
    @APIResponse(responseCode = "404", description = "not-found: no such task in this workspace")
    @APIResponse(responseCode = "409", description = "run-already-active: the task has a PENDING or RUNNING run (activeRunId)")
    @APIResponse(responseCode = "422", description = "agents-not-configured, agents-disabled, provider-not-enabled or idempotency-key-reused")
    @APIResponse(responseCode = "429", description = "concurrency-limit: too many active runs in this workspace",
            headers = @Header(name = "Retry-After", description = "seconds"))
    @APIResponse(responseCode = "503", description = "provider-unavailable: task service or provider gateway not answering")
    public Uni<Response> launch(@PathParam("taskId") UUID taskId,
            @Parameter(description = "Makes the launch safe to repeat (1-255 printable characters)")
            @HeaderParam("Idempotency-Key") String idempotencyKey,
            LaunchRunRequest body) {
        Run.Settings requested = body == null ? null
                : new Run.Settings(body.repositoryUrl(), body.branch(), body.targetBranch(), body.instructions(),
                        body.provider());
        return runs.launch(caller.workspace(), caller.bearerToken(), taskId, requested, idempotencyKey)
                .map(launched -> created(launched, launched.replayed() ? 200 : 201));
    }

    @GET
    @Path("/runs/{id}")
    @Operation(summary = "One run, with its history")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "404", description = "not-found")
    public Uni<RunView> get(@PathParam("id") UUID id) {
        return runs.get(caller.workspace(), id).map(RunMapper::toView);
    }

    private static final String LIMIT = "How many runs (1-200, default 50)";
    private static final String CURSOR = "Where the previous page ended: take it from that page's Link header";
    private static final String LINK = "<the same path with the next cursor>; rel=\"next\": only when more runs exist";

    @GET
    @Path("/tasks/{taskId}/runs")
    @Operation(summary = "A task's runs, newest first, one page",
            description = "Bounded: `limit` (1-200, default 50) and `cursor`; follow the `Link: rel=\"next\"` header "
                    + "to the end to see every run once. No run's agent context is ever part of an answer.")
    @APIResponse(responseCode = "200", headers = @Header(name = "Link", description = LINK),
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = RunView.class)))
    @APIResponse(responseCode = "400", description = "validation-failed: bad limit or cursor")
    public Uni<Response> ofTask(@PathParam("taskId") UUID taskId,
            @Parameter(description = LIMIT) @QueryParam("limit") String limit,
            @Parameter(description = CURSOR) @QueryParam("cursor") String cursor,
            @Context UriInfo uri) {
        // a cursor names the task whose list it came from: another task's is not one of this list's
        String list = "runs:task:" + taskId;
        return Uni.createFrom().deferred(() -> {
            var page = Paging.parse(uri, list);
            return runs.ofTask(caller.workspace(), taskId, page.limit(), page.after())
                    .map(found -> Paging.answer(views(found), found.next(), page.limit(), uri, list));
        });
    }

    @GET
    @Path("/runs")
    @Operation(summary = "This workspace's runs in a status (all runs without one), newest first, one page",
            description = "Bounded like every list: `limit` (1-200, default 50), `cursor` and `Link: rel=\"next\"`. "
                    + "A cursor belongs to the status it was given for.")
    @APIResponse(responseCode = "200", headers = @Header(name = "Link", description = LINK),
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = RunView.class)))
    @APIResponse(responseCode = "400", description = "validation-failed: unknown status, bad limit or cursor")
    public Uni<Response> inStatus(
            @Parameter(description = "PENDING, RUNNING, COMPLETED, FAILED or CANCELLED") @QueryParam("status") String status,
            @Parameter(description = LIMIT) @QueryParam("limit") String limit,
            @Parameter(description = CURSOR) @QueryParam("cursor") String cursor,
            @Context UriInfo uri) {
        return Uni.createFrom().deferred(() -> {
            RunStatus wanted = parseStatus(status);
            String list = "runs:status:" + (wanted == null ? "any" : wanted.name());
            var page = Paging.parse(uri, list);
            return runs.inStatus(caller.workspace(), wanted, page.limit(), page.after())
                    .map(found -> Paging.answer(views(found), found.next(), page.limit(), uri, list));
        });
    }

    private static List<RunView> views(RunService.Page page) {
        return page.rows().stream().map(RunView::of).toList();
    }

    @POST
    @Path("/runs/{id}/cancel")
    @Operation(summary = "Cancel a run", description = "The run becomes CANCELLED and its agent is asked to stop.")
    @APIResponse(responseCode = "200", description = "The run, CANCELLED",
            content = @Content(schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "404", description = "not-found")
    @APIResponse(responseCode = "409", description = "run-not-cancellable: the run already finished")
    public Uni<RunView> cancel(@PathParam("id") UUID id) {
        return runs.cancel(caller.workspace(), caller.userId(), id).map(RunMapper::toView);
    }

    @POST
    @Path("/runs/{id}/retry")
    @Operation(summary = "Run the same task again",
            description = "A new run with the same settings and a freshly fetched agent context.")
    @APIResponse(responseCode = "201", description = "The new run (PENDING)",
            headers = @Header(name = "Location", description = "/api/runs/{id}"),
            content = @Content(schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "404", description = "not-found")
    @APIResponse(responseCode = "409", description = "run-already-active: the task has a PENDING or RUNNING run (activeRunId)")
    @APIResponse(responseCode = "422", description = "agents-not-configured, agents-disabled or provider-not-enabled")
    @APIResponse(responseCode = "429", description = "concurrency-limit")
    @APIResponse(responseCode = "503", description = "provider-unavailable")
    public Uni<Response> retry(@PathParam("id") UUID id) {
        return runs.retry(caller.workspace(), caller.bearerToken(), id).map(launched -> created(launched, 201));
    }

    @POST
    @Path("/runs/{id}/followups")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Follow up on a run: more work on the same branch and pull request",
            description = "A new PENDING run (`followUpOf` = this run) of the same task, with the same provider, "
                    + "repository, branch and target branch: its agent starts from the head of the target branch, knows "
                    + "the task, the brief, the earlier run's summary and these instructions, and its commits go to the "
                    + "same pull request. Only the task's latest run can be followed up, once it has ended and only when "
                    + "something was pushed. With an Idempotency-Key, repeating the same request answers the same run.")
    @APIResponse(responseCode = "201", description = "The new run (PENDING)",
            headers = @Header(name = "Location", description = "/api/runs/{id}"),
            content = @Content(schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "200", description = "The run an earlier request with this Idempotency-Key created",
            content = @Content(schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "400", description = "validation-failed: instructions missing, blank or over 10,000 characters")
    @APIResponse(responseCode = "404", description = "not-found: no such run in this workspace")
    @APIResponse(responseCode = "409", description = "run-already-active (activeRunId): the task has a PENDING or RUNNING run; "
            + "run-not-followable: the run is not the task's latest, or ended before anything was pushed")
    @APIResponse(responseCode = "422", description = "agents-not-configured, agents-disabled, provider-not-enabled or idempotency-key-reused")
    @APIResponse(responseCode = "429", description = "concurrency-limit",
            headers = @Header(name = "Retry-After", description = "seconds"))
    @APIResponse(responseCode = "503", description = "provider-unavailable")
    public Uni<Response> followUp(@PathParam("id") UUID id,
            @Parameter(description = "Makes the follow-up safe to repeat (1-255 printable characters)")
            @HeaderParam("Idempotency-Key") String idempotencyKey,
            FollowUpRequest body) {
        return runs.followUp(caller.workspace(), caller.bearerToken(), id, body == null ? null : body.instructions(),
                        idempotencyKey)
                .map(launched -> created(launched, launched.replayed() ? 200 : 201));
    }

    private static Response created(RunService.Launched launched, int status) {
        return Response.status(status)
                .location(URI.create("/api/runs/" + launched.run().id()))
                .entity(RunMapper.toView(launched.run()))
                .build();
    }

    private static RunStatus parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return RunStatus.valueOf(status.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.validation("status", "must be one of " + Arrays.toString(RunStatus.values()));
        }
    }
}
