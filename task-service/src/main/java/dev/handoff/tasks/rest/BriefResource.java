package dev.handoff.tasks.rest;

import static dev.handoff.tasks.rest.ApiDocs.BRIEF_NOT_FOUND;
import static dev.handoff.tasks.rest.ApiDocs.MALFORMED_JSON;
import static dev.handoff.tasks.rest.ApiDocs.PROBLEM_JSON;
import static dev.handoff.tasks.rest.ApiDocs.UNAUTHORIZED;
import static dev.handoff.tasks.rest.ApiDocs.UNKNOWN_FIELD;
import static dev.handoff.tasks.rest.ApiDocs.BRIEF_INVALID;
import static dev.handoff.tasks.rest.ApiDocs.BAD_PAGING;
import static dev.handoff.tasks.rest.ApiDocs.CURSOR;
import static dev.handoff.tasks.rest.ApiDocs.ETAG;
import static dev.handoff.tasks.rest.ApiDocs.IF_MATCH;
import static dev.handoff.tasks.rest.ApiDocs.LIMIT;
import static dev.handoff.tasks.rest.ApiDocs.LINK;
import static dev.handoff.tasks.rest.ApiDocs.PRECONDITION_FAILED;

import dev.handoff.tasks.service.BriefInput;
import dev.handoff.tasks.service.BriefReplacement;
import dev.handoff.tasks.service.BriefService;
import dev.handoff.tasks.service.Versioned;
import dev.handoff.web.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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
            headers = {
                    @Header(name = "Location", description = "/api/briefs/{id}", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "ETag", description = ETAG, schema = @Schema(type = SchemaType.STRING)) },
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BriefView.class)))
    @APIResponse(responseCode = "400", description = "Invalid brief: `violations` names each field",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = {
                            @ExampleObject(name = "validation-failed", value = BRIEF_INVALID),
                            @ExampleObject(name = "malformed JSON", value = MALFORMED_JSON),
                            @ExampleObject(name = "unknown field", value = UNKNOWN_FIELD) }))
    public Uni<Response> create(BriefInput input) {
        return briefs.create(caller.workspace(), input)
                .map(brief -> Response.created(URI.create("/api/briefs/" + brief.body().id())).entity(brief.body())
                        .header(HttpHeaders.ETAG, brief.etag()).build());
    }

    @GET
    @Operation(summary = "List the workspace's briefs",
            description = "Newest first (by creation time), one page at a time: `?limit=` (1-200, default 50); when "
                    + "more briefs exist, the `Link` header (`rel=\"next\"`) is the URL of the next page. Items omit "
                    + "`content` (up to 1 MiB each) and carry `contentLength`; GET a brief for its content.")
    @APIResponse(responseCode = "200", description = "A page of briefs, newest first",
            headers = @Header(name = "Link", description = LINK, schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = BriefListItem.class)))
    @APIResponse(responseCode = "400", description = "`limit` not a number or out of range, or a cursor that is not ours",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "validation-failed", value = BAD_PAGING)))
    public Uni<Response> list(@Parameter(description = LIMIT) @QueryParam("limit") String limit,
            @Parameter(description = CURSOR) @QueryParam("cursor") String cursor, @Context UriInfo uri) {
        // limit and cursor are declared above for the OpenAPI document; Paging reads them from the raw query
        var page = Paging.parse(uri, LIST);
        return briefs.list(caller.workspace(), page.limit(), page.after())
                .map(briefsPage -> Paging.answer(briefsPage, page.limit(), uri, LIST));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Get a brief", description = "With its `ETag`, to send back in `If-Match` when changing it.")
    @APIResponse(responseCode = "200", description = "The brief",
            headers = @Header(name = "ETag", description = ETAG, schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BriefView.class)))
    @APIResponse(responseCode = "404", description = "No such brief in this workspace (also for another workspace's)",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "not-found", value = BRIEF_NOT_FOUND)))
    public Uni<Response> get(@Parameter(description = "The brief's id") @PathParam("id") UUID id) {
        return briefs.get(caller.workspace(), id).map(BriefResource::ok);
    }

    @PUT
    @Path("/{id}")
    @Operation(summary = "Replace a brief's title and content",
            description = "Same fields and rules as create; `updatedAt` changes, `createdAt` and the tasks stay. Takes "
                    + "what GET answers: the read-only fields (`id`, `createdAt`, `updatedAt`, `contentLength`) may be "
                    + "sent back and are ignored. With `If-Match`, only if the brief is still at that revision.")
    @APIResponse(responseCode = "200", description = "The brief as stored",
            headers = @Header(name = "ETag", description = ETAG, schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BriefView.class)))
    @APIResponse(responseCode = "400", description = "Invalid brief: `violations` names each field",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "validation-failed", value = BRIEF_INVALID)))
    @APIResponse(responseCode = "404", description = "No such brief in this workspace",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "not-found", value = BRIEF_NOT_FOUND)))
    @APIResponse(responseCode = "412", description = "`If-Match` is not the brief's current ETag; nothing was changed",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "precondition-failed", value = PRECONDITION_FAILED)))
    public Uni<Response> replace(@Parameter(description = "The brief's id") @PathParam("id") UUID id,
            @Parameter(description = IF_MATCH) @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            BriefReplacement input) {
        return briefs.replace(caller.workspace(), id, input == null ? null : input.toInput(), ifMatch)
                .map(BriefResource::ok);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a brief and all its tasks",
            description = "With `If-Match`, only if the brief is still at that revision.")
    @APIResponse(responseCode = "204", description = "Deleted, with its tasks")
    @APIResponse(responseCode = "404", description = "No such brief in this workspace",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "not-found", value = BRIEF_NOT_FOUND)))
    @APIResponse(responseCode = "412", description = "`If-Match` is not the brief's current ETag; nothing was deleted",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ApiDocs.ProblemDoc.class),
                    examples = @ExampleObject(name = "precondition-failed", value = PRECONDITION_FAILED)))
    public Uni<Response> delete(@Parameter(description = "The brief's id") @PathParam("id") UUID id,
            @Parameter(description = IF_MATCH) @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return briefs.delete(caller.workspace(), id, ifMatch).map(ignored -> Response.noContent().build());
    }

    /** The name a cursor of this list carries. */
    private static final String LIST = "briefs";

    private static Response ok(Versioned<BriefView> brief) {
        return Response.ok(brief.body()).header(HttpHeaders.ETAG, brief.etag()).build();
    }
}
