package dev.handoff.tasks.rest;

import static dev.handoff.tasks.rest.ApiDocs.BRIEF_NOT_FOUND;
import static dev.handoff.tasks.rest.ApiDocs.MALFORMED_JSON;
import static dev.handoff.tasks.rest.ApiDocs.PROBLEM_JSON;
import static dev.handoff.tasks.rest.ApiDocs.UNAUTHORIZED;
import static dev.handoff.tasks.rest.ApiDocs.UNKNOWN_FIELD;
import static dev.handoff.tasks.rest.ApiDocs.BRIEF_INVALID;

import dev.handoff.events.AgentContext;
import dev.handoff.tasks.service.BriefInput;
import dev.handoff.tasks.service.BriefService;
import dev.handoff.web.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
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
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Briefs: HTTP only; the use cases are in {@link BriefService}. */
@Path("/api/briefs")
@Tag(name = "Briefs", description = "A brief is a workspace's planning document (a title and markdown content, up to "
        + "1 MiB). Its tasks hang off it; deleting a brief deletes its tasks.")
@RolesAllowed({ Caller.MEMBER, Caller.ADMIN })
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "No token, or an invalid or expired one",
        content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                examples = @ExampleObject(name = "unauthorized", value = UNAUTHORIZED)))
public class BriefResource {

    private final BriefService briefs;
    private final Caller caller;

    public BriefResource(BriefService briefs, Caller caller) {
        this.briefs = briefs;
        this.caller = caller;
    }

    @POST
    @Operation(summary = "Create a brief",
            description = "`title` 1-200 characters (not blank), `content` markdown up to 1,048,576 characters "
                    + "(absent: empty). Unknown fields, wrong types and malformed JSON are refused with 400.")
    @APIResponse(responseCode = "201", description = "Created; `Location` is the brief's URL",
            headers = @Header(name = "Location", description = "/api/briefs/{id}", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AgentContext.Brief.class)))
    @APIResponse(responseCode = "400", description = "Invalid brief: `violations` names each field",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = {
                            @ExampleObject(name = "validation-failed", value = BRIEF_INVALID),
                            @ExampleObject(name = "malformed JSON", value = MALFORMED_JSON),
                            @ExampleObject(name = "unknown field", value = UNKNOWN_FIELD) }))
    public Uni<Response> create(BriefInput input) {
        return briefs.create(caller.workspace(), input)
                .map(brief -> Response.created(URI.create("/api/briefs/" + brief.id())).entity(brief).build());
    }

    @GET
    @Operation(summary = "List the workspace's briefs", description = "Newest first (by creation time).")
    @APIResponse(responseCode = "200", description = "The briefs, newest first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = AgentContext.Brief.class)))
    public Uni<List<AgentContext.Brief>> list() {
        return briefs.list(caller.workspace());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Get a brief")
    @APIResponse(responseCode = "200", description = "The brief",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AgentContext.Brief.class)))
    @APIResponse(responseCode = "404", description = "No such brief in this workspace (also for another workspace's)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "not-found", value = BRIEF_NOT_FOUND)))
    public Uni<AgentContext.Brief> get(@Parameter(description = "The brief's id") @PathParam("id") UUID id) {
        return briefs.get(caller.workspace(), id);
    }

    @PUT
    @Path("/{id}")
    @Operation(summary = "Replace a brief's title and content",
            description = "Same fields and rules as create; `updatedAt` changes, `createdAt` and the tasks stay.")
    @APIResponse(responseCode = "200", description = "The brief as stored",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AgentContext.Brief.class)))
    @APIResponse(responseCode = "400", description = "Invalid brief: `violations` names each field",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "validation-failed", value = BRIEF_INVALID)))
    @APIResponse(responseCode = "404", description = "No such brief in this workspace",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "not-found", value = BRIEF_NOT_FOUND)))
    public Uni<AgentContext.Brief> replace(@Parameter(description = "The brief's id") @PathParam("id") UUID id,
            BriefInput input) {
        return briefs.replace(caller.workspace(), id, input);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a brief and all its tasks")
    @APIResponse(responseCode = "204", description = "Deleted, with its tasks")
    @APIResponse(responseCode = "404", description = "No such brief in this workspace",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "not-found", value = BRIEF_NOT_FOUND)))
    public Uni<Response> delete(@Parameter(description = "The brief's id") @PathParam("id") UUID id) {
        return briefs.delete(caller.workspace(), id).map(ignored -> Response.noContent().build());
    }
}
