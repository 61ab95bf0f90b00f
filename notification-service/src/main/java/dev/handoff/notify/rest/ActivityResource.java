package dev.handoff.notify.rest;

import dev.handoff.events.RunActivity.Entry;
import dev.handoff.notify.service.ActivityService;
import dev.handoff.web.Caller;
import dev.handoff.web.ListPaging;
import dev.handoff.web.ProblemException;
import dev.handoff.web.ProblemException.Violation;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** HTTP only: a run's activity, page by page (the live form is {@code run.activity} on {@code /api/events}). */
@Path(ActivityResource.PATH)
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Caller.MEMBER, Caller.ADMIN })
@Tag(name = "Run activity", description = "What the agent of a run did: its steps, output lines and messages")
public class ActivityResource {

    static final String PATH = "/api/activity";
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    private final Caller caller;
    private final ActivityService service;

    public ActivityResource(Caller caller, ActivityService service) {
        this.caller = caller;
        this.service = service;
    }

    /** One entry as listed. */
    @Schema(name = "ActivityEntry")
    public record EntryView(
            @Schema(description = "Position in the run's activity, from 1 without gaps") long seq,
            @Schema(description = "When it happened") Instant at,
            @Schema(description = "step, log, message, tool, error or truncated") String kind,
            @Schema(description = "What happened, at most 4,000 characters, secrets redacted") String text) {

        static EntryView of(Entry entry) {
            return new EntryView(entry.seq(), entry.at(), entry.kind(), entry.text());
        }
    }

    @GET
    @Operation(summary = "A run's activity, in seq order", description = """
            The entries of the run after `after` (default 0: from the first), at most `limit` (1-200, default 50), \
            in `seq` order; each seq appears once. When more exist, the answer carries `Link: </api/activity?\
            runId=...&after=<last seq of this page>&limit=...>; rel="next"`. A run this workspace never heard of, \
            or another workspace's, is 404; a known run without activity yet answers `[]`. Kept for \
            `HANDOFF_ACTIVITY_RETENTION` (30 days). The same entries arrive live as `run.activity` events on \
            `/api/events`.""")
    @Parameter(name = "runId", in = ParameterIn.QUERY, required = true, description = "The run (a UUID)",
            schema = @Schema(type = SchemaType.STRING, format = "uuid"))
    @Parameter(name = "after", in = ParameterIn.QUERY, description = "Only entries with a greater seq (default 0)",
            schema = @Schema(type = SchemaType.INTEGER, minimum = "0"))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "At most this many (1-200, default 50)",
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "200"))
    @APIResponse(responseCode = "200", description = "The entries",
            headers = @Header(name = "Link", description = "`<the next page>; rel=\"next\"` when more entries exist"),
            content = @Content(schema = @Schema(implementation = EntryView.class, type = SchemaType.ARRAY)))
    @APIResponse(responseCode = "400", description = "validation-failed: runId not a UUID, after or limit out of range",
            content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "401", description = "No valid token", content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "403", description = "The token has neither the member nor the admin role",
            content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "404", description = "not-found: no such run in this workspace",
            content = @Content(mediaType = "application/problem+json"))
    public Uni<Response> list(@Context UriInfo uri) {
        Query query = Query.parse(uri);
        return service.page(caller.workspace(), query.runId(), query.after(), query.limit()).map(page -> {
            Response.ResponseBuilder response = Response.ok(page.entries().stream().map(EntryView::of).toList());
            if (page.nextAfter() != null) {
                response.header("Link", "<" + PATH + "?runId=" + query.runId() + "&after=" + page.nextAfter()
                        + "&limit=" + query.limit() + ">; rel=\"next\"");
            }
            return response.build();
        });
    }

    /**
     * The request's parameters, each checked; every wrong one is a violation of one 400. Read from the raw query
     * because Quarkus REST hands an empty value ({@code ?limit=}) over as absent, and an empty limit is not a number.
     */
    record Query(UUID runId, long after, int limit) {

        static Query parse(UriInfo uri) {
            List<Violation> violations = new ArrayList<>();
            String run = ListPaging.rawParameter(uri, "runId");
            UUID runId = null;
            if (run == null || run.isBlank()) {
                violations.add(new Violation("runId", "is required"));
            } else {
                try {
                    runId = UUID.fromString(run.strip());
                } catch (IllegalArgumentException e) {
                    violations.add(new Violation("runId", "must be a UUID"));
                }
            }
            long after = 0;
            String afterValue = ListPaging.rawParameter(uri, "after");
            if (afterValue != null) {
                try {
                    after = Long.parseLong(afterValue.strip());
                } catch (NumberFormatException e) {
                    after = -1;
                }
                if (after < 0) {
                    violations.add(new Violation("after", "must be a seq (a whole number, 0 or more)"));
                }
            }
            int limit = DEFAULT_LIMIT;
            String limitValue = ListPaging.rawParameter(uri, "limit");
            if (limitValue != null) {
                try {
                    limit = Integer.parseInt(limitValue.strip());
                } catch (NumberFormatException e) {
                    limit = -1;
                }
                if (limit < 1 || limit > MAX_LIMIT) {
                    violations.add(new Violation("limit", "must be a whole number between 1 and " + MAX_LIMIT));
                }
            }
            if (!violations.isEmpty()) {
                String detail = String.join("; ", violations.stream().map(v -> v.field() + ": " + v.message()).toList());
                throw new ProblemException(400, "validation-failed", "Invalid request", detail,
                        Map.of("violations", List.copyOf(violations)), Map.of());
            }
            return new Query(runId, after, limit);
        }

    }
}
