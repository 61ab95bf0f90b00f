package dev.handoff.tasks.rest;

import static dev.handoff.tasks.rest.ApiDocs.ETAG;
import static dev.handoff.tasks.rest.ApiDocs.IF_MATCH;
import static dev.handoff.tasks.rest.ApiDocs.PRECONDITION_FAILED;
import static dev.handoff.tasks.rest.ApiDocs.PROBLEM_JSON;
import static dev.handoff.tasks.rest.ApiDocs.TASK_NOT_FOUND;
import static dev.handoff.tasks.rest.ApiDocs.UNAUTHORIZED;
import static dev.handoff.tasks.rest.ApiDocs.VALIDATION_FAILED;

import dev.handoff.tasks.service.TaskReplacement;
import dev.handoff.tasks.service.TaskService;
import dev.handoff.tasks.service.Versioned;
import dev.handoff.web.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** One task and its agent context: HTTP only; the use cases are in {@link TaskService}. */
@Path("/api/tasks")
@Tag(name = "Tasks", description = "A task belongs to a brief: title, markdown description, ordered acceptance "
        + "criteria, ordered subtasks (stable ids, `position` 0..n-1) and `agentRun`, its latest agent run (null until "
        + "one is launched), kept current from the run service's events: poll the task or listen to the "
        + "notification service's event stream to see it change.")
@RolesAllowed({ Caller.MEMBER, Caller.ADMIN })
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "No token, or an invalid or expired one",
        content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                examples = @ExampleObject(name = "unauthorized", value = UNAUTHORIZED)))
public class TaskResource {

    private final TaskService tasks;
    private final Caller caller;

    public TaskResource(TaskService tasks, Caller caller) {
        this.tasks = tasks;
        this.caller = caller;
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Get a task", description = "With its criteria and subtasks in order and its latest agent "
            + "run (`agentRun`: `{runId, status, pullRequestUrl, updatedAt}` or null), and its `ETag` (the "
            + "revision of the task's own fields; agent run changes do not change it).")
    @APIResponse(responseCode = "200", description = "The task",
            headers = @Header(name = "ETag", description = ETAG, schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TaskView.class)))
    @APIResponse(responseCode = "404", description = "No such task in this workspace (also for another workspace's)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "not-found", value = TASK_NOT_FOUND)))
    public Uni<Response> get(@Parameter(description = "The task's id") @PathParam("id") UUID id) {
        return tasks.get(caller.workspace(), id).map(TaskResource::ok);
    }

    @PUT
    @Path("/{id}")
    @Operation(summary = "Replace a task",
            description = "Replaces title, description, the acceptance criteria and the subtasks (same rules as "
                    + "create). To keep a subtask (and its id) send its `id` with it; a subtask without `id` is new; "
                    + "subtasks left out are deleted. The array order is the new order. `agentRun` and `createdAt` "
                    + "are unchanged. Takes what GET answers: the read-only fields (`id`, `briefId`, `agentRun`, "
                    + "`createdAt`, `updatedAt`, a subtask's `position`) may be sent back and are ignored. With "
                    + "`If-Match`, only if the task is still at that revision.")
    @APIResponse(responseCode = "200", description = "The task as stored",
            headers = @Header(name = "ETag", description = ETAG, schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TaskView.class)))
    @APIResponse(responseCode = "400", description = "Invalid task, or a subtask `id` that is not one of this task's",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "validation-failed", value = VALIDATION_FAILED)))
    @APIResponse(responseCode = "404", description = "No such task in this workspace",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "not-found", value = TASK_NOT_FOUND)))
    @APIResponse(responseCode = "412", description = "`If-Match` is not the task's current ETag; nothing was changed",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "precondition-failed", value = PRECONDITION_FAILED)))
    public Uni<Response> replace(@Parameter(description = "The task's id") @PathParam("id") UUID id,
            @Parameter(description = IF_MATCH) @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            TaskReplacement input) {
        return tasks.replace(caller.workspace(), id, input == null ? null : input.toInput(), ifMatch)
                .map(TaskResource::ok);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a task", description = "With its criteria, subtasks and run projection. With "
            + "`If-Match`, only if the task is still at that revision.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "412", description = "`If-Match` is not the task's current ETag; nothing was deleted",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "precondition-failed", value = PRECONDITION_FAILED)))
    @APIResponse(responseCode = "404", description = "No such task in this workspace",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "not-found", value = TASK_NOT_FOUND)))
    public Uni<Response> delete(@Parameter(description = "The task's id") @PathParam("id") UUID id,
            @Parameter(description = IF_MATCH) @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return tasks.delete(caller.workspace(), id, ifMatch).map(ignored -> Response.noContent().build());
    }

    @GET
    @Path("/{id}/agent-context")
    @Operation(summary = "What an agent is given for this task",
            description = "`{task, brief}`: the task exactly as `GET /api/tasks/{id}` answers it (criteria and "
                    + "subtasks in order) and its whole brief. The run service stores this with each run it launches.")
    @APIResponse(responseCode = "200", description = "The agent context",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AgentContextView.class)))
    @APIResponse(responseCode = "404", description = "No such task in this workspace",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "not-found", value = TASK_NOT_FOUND)))
    public Uni<AgentContextView> agentContext(@Parameter(description = "The task's id") @PathParam("id") UUID id) {
        return tasks.agentContext(caller.workspace(), id);
    }

    private static Response ok(Versioned<TaskView> task) {
        return Response.ok(task.body()).header(HttpHeaders.ETAG, task.etag()).build();
    }
}
