package dev.handoff.tasks.rest;

import static dev.handoff.tasks.rest.ApiDocs.BAD_PAGING;
import static dev.handoff.tasks.rest.ApiDocs.BRIEF_NOT_FOUND;
import static dev.handoff.tasks.rest.ApiDocs.CURSOR;
import static dev.handoff.tasks.rest.ApiDocs.ETAG;
import static dev.handoff.tasks.rest.ApiDocs.LIMIT;
import static dev.handoff.tasks.rest.ApiDocs.LINK;
import static dev.handoff.tasks.rest.ApiDocs.IMPORT_INVALID;
import static dev.handoff.tasks.rest.ApiDocs.MALFORMED_JSON;
import static dev.handoff.tasks.rest.ApiDocs.PROBLEM_JSON;
import static dev.handoff.tasks.rest.ApiDocs.UNAUTHORIZED;
import static dev.handoff.tasks.rest.ApiDocs.UNKNOWN_FIELD;
import static dev.handoff.tasks.rest.ApiDocs.VALIDATION_FAILED;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.tasks.service.TaskInput;
import dev.handoff.tasks.service.TaskMasterImport;
import dev.handoff.tasks.service.TaskService;
import dev.handoff.web.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A brief's tasks: create, list, import. HTTP only; the use cases are in {@link TaskService}. */
@Path("/api/briefs/{briefId}/tasks")
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
public class BriefTaskResource {

    private final TaskService tasks;
    private final TaskMasterImport importer;
    private final Caller caller;

    public BriefTaskResource(TaskService tasks, TaskMasterImport importer, Caller caller) {
        this.tasks = tasks;
        this.importer = importer;
        this.caller = caller;
    }

    @POST
        @Operation(summary = "Create a task in a brief",
            description = "`title` 1-200 characters (not blank); `description` markdown up to 65,536 characters; "
                    + "`acceptanceCriteria` up to 50 strings of 1-2,000 characters, kept in the order given; "
                    + "`subtasks` up to 100 `{title, description}` (title 1-200, description up to 65,536), "
                    + "their array order is their `position` (0-based). Absent lists mean none. A new task has "
                    + "`agentRun: null`.")
    @APIResponse(responseCode = "201", description = "Created; `Location` is the task's URL",
            headers = {
                    @Header(name = "Location", description = "/api/tasks/{id}", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "ETag", description = ETAG, schema = @Schema(type = SchemaType.STRING)) },
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TaskView.class)))
    @APIResponse(responseCode = "400", description = "Invalid task: `violations` names each field by its JSON path",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = {
                            @ExampleObject(name = "validation-failed", value = VALIDATION_FAILED),
                            @ExampleObject(name = "malformed JSON", value = MALFORMED_JSON),
                            @ExampleObject(name = "unknown field", value = UNKNOWN_FIELD) }))
    @APIResponse(responseCode = "404", description = "No such brief in this workspace",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "not-found", value = BRIEF_NOT_FOUND)))
    public Uni<Response> create(@Parameter(description = "The brief's id") @PathParam("briefId") UUID briefId,
            TaskInput input) {
        return tasks.create(caller.workspace(), briefId, input)
                .map(task -> Response.created(URI.create("/api/tasks/" + task.body().id())).entity(task.body())
                        .header(HttpHeaders.ETAG, task.etag()).build());
    }

    @GET
    @Operation(summary = "List a brief's tasks", description = "In creation order, oldest first (an import keeps "
            + "the file's order); each with its criteria, subtasks and latest agent run. One page at a time: "
            + "`?limit=` (1-200, default 50); when more tasks exist, the `Link` header (`rel=\"next\"`) is the URL "
            + "of the next page.")
    @APIResponse(responseCode = "200", description = "A page of the tasks, oldest first",
            headers = @Header(name = "Link", description = LINK, schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = TaskView.class)))
    @APIResponse(responseCode = "400", description = "`limit` not a number or out of range, or a cursor that is not ours",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "validation-failed", value = BAD_PAGING)))
    @APIResponse(responseCode = "404", description = "No such brief in this workspace",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "not-found", value = BRIEF_NOT_FOUND)))
    public Uni<Response> listOfBrief(
            @Parameter(description = "The brief's id") @PathParam("briefId") UUID briefId,
            @Parameter(description = LIMIT) @QueryParam("limit") String limit,
            @Parameter(description = CURSOR) @QueryParam("cursor") String cursor, @Context UriInfo uri) {
        // a cursor names the brief whose list it came from: another brief's is not one of this list's
        String list = "tasks:" + briefId;
        // limit and cursor are declared above for the OpenAPI document; Paging reads them from the raw query
        var page = Paging.parse(uri, list);
        return tasks.listOfBrief(caller.workspace(), briefId, page.limit(), page.after())
                .map(tasksPage -> Paging.answer(tasksPage, page.limit(), uri, list));
    }

    private static final String EXAMPLE_FILE = """
            {"master": {"tasks": [{"id": 1, "title": "Set up the repository", "description": "Create the project \
            skeleton", "details": "Use Maven; add CI", "testStrategy": "- The build passes\\n- CI runs on push", \
            "priority": "high", "dependencies": [], "status": "pending", "subtasks": [{"id": 1, "title": \
            "Create the Maven project", "description": "Parent pom and modules", "details": "", "dependencies": [], \
            "status": "pending"}]}], "metadata": {"created": "2026-01-10T09:00:00.000Z"}}}""";


    /** The answer of an import: how many tasks were created, and the tasks in file order. */
    @Schema(name = "ImportResult")
    public record ImportResult(@Schema(description = "Number of tasks created") int imported,
            @Schema(description = "The created tasks, in file order") List<TaskView> tasks) {
    }

    @POST
    @Path("/import")
    @Tag(name = "Task Master import", description = "Creates a brief's tasks from a Task Master tasks.json")
    @Operation(summary = "Import a Task Master tasks.json into the brief",
            description = """
                    Accepts the plain form `{"tasks": [...]}` and the tagged form `{"<tag>": {"tasks": [...], \
                    "metadata": {...}}}`. A tagged file imports ONE tag: `?tag=` if given, else `master`, else the \
                    first tag in the file (Task Master numbers each tag's tasks from 1, so tags are not mixed).

                    Mapping per task: `title` -> title; `description`, then `details` under a "## Details" heading, \
                    then a plain-text line `Task Master: id 3; priority: high; status: pending; dependencies: 1, 2` \
                    -> description; `testStrategy` -> acceptanceCriteria (one per bullet or numbered item; without \
                    bullets one per line; a single line is split into sentences); `subtasks` -> subtasks in file \
                    order (description, details and testStrategy combined, plus `Task Master: subtask 3.1; status: \
                    ...; dependencies: 3.2`). Other fields are ignored; unknown fields are allowed here.

                    All or nothing: if anything is wrong, nothing is imported and the 400 lists every problem by its \
                    path in the file (`master.tasks[3].title: must not be blank`). Limits: at most 500 tasks; the \
                    task limits of `POST /api/briefs/{briefId}/tasks` apply to the mapped tasks.""")
    @RequestBody(description = "A Task Master tasks.json", required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT),
                    examples = @ExampleObject(name = "tagged", value = EXAMPLE_FILE)))
    @APIResponse(responseCode = "201", description = "All tasks created, in file order; `Location` is the brief's task list",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ImportResult.class)))
    @APIResponse(responseCode = "400", description = "Not a valid Task Master file, or malformed JSON; nothing was imported",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = {
                            @ExampleObject(name = "invalid tasks", value = IMPORT_INVALID),
                            @ExampleObject(name = "malformed JSON", value = MALFORMED_JSON) }))
    @APIResponse(responseCode = "401", description = "No token, or an invalid or expired one",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "unauthorized", value = UNAUTHORIZED)))
    @APIResponse(responseCode = "404", description = "No such brief in this workspace",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "not-found", value = BRIEF_NOT_FOUND)))
    public Uni<Response> importTasks(@Parameter(description = "The brief's id") @PathParam("briefId") UUID briefId,
            @Parameter(description = "For a tagged file: the tag to import (default `master`, else the first)")
            @QueryParam("tag") String tag,
            JsonNode file) {
        return importer.importInto(caller.workspace(), briefId, file, tag)
                .map(created -> Response.created(URI.create("/api/briefs/" + briefId + "/tasks"))
                        .entity(new ImportResult(created.size(), created))
                        .build());
    }
}
