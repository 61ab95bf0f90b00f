package dev.handoff.notify.rest;

import dev.handoff.notify.sse.SseConnection;
import dev.handoff.notify.sse.SseConnections;
import dev.handoff.web.Caller;
import dev.handoff.web.ProblemException;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.Vertx;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** HTTP only: checks the request and hands the stream to {@link SseConnections}. */
@Path(EventStreamResource.PATH)
@Tag(name = "Run events", description = "Live run status and activity for frontends, with replay after a reconnect")
public class EventStreamResource {

    static final String PATH = "/api/events";

    private final Caller caller;
    private final SseConnections connections;
    private final JsonWebToken jwt;

    public EventStreamResource(Caller caller, SseConnections connections, JsonWebToken jwt) {
        this.caller = caller;
        this.connections = connections;
        this.jwt = jwt;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed({ Caller.MEMBER, Caller.ADMIN })
    @NonBlocking
    @Operation(summary = "Stream the run events of your workspace",
            description = """
                    Server-sent events, one per stored run event of the caller's workspace, oldest first: \
                    `id:` the event's sequence (increasing within the workspace), `event:` `run.status-changed`, \
                    `run.pull-request-opened` or `run.activity`, `data:` the event JSON as published on Kafka \
                    (RunStatusChanged, PullRequestOpened, or RunActivity: a batch of the run's activity entries \
                    `{seq, at, kind, text}`, each seq of a run sent once, a redelivered or overlapping batch trimmed \
                    to what is new). With `Last-Event-ID` (sent by EventSource when it reconnects) or \
                    `lastEventId`, every event after that id still kept (at least 24 hours) comes first, then the \
                    live ones, with no gap and no duplicate. A `: keep-alive` comment arrives every 15 s when \
                    nothing else does; `: connected` marks the moment the stream is live. A client that reads too \
                    slowly is disconnected and resumes by Last-Event-ID. The stream ends when the token expires \
                    (`exp`): reconnect with a fresh token and the Last-Event-ID. A workspace has at most 50 open \
                    streams (`HANDOFF_SSE_MAX_PER_WORKSPACE`), a server 5000 (`HANDOFF_SSE_MAX`): beyond, 429 \
                    `concurrency-limit` with `Retry-After`. EventSource cannot send headers: pass the \
                    token as `access_token` instead.""")
    @Parameter(name = "access_token", in = ParameterIn.QUERY, required = false,
            description = "The bearer token, for clients that cannot send an Authorization header (EventSource)")
    @APIResponse(responseCode = "200", description = "The event stream",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(implementation = String.class)))
    @APIResponse(responseCode = "400", description = "taskId or runId is not a UUID, or the last event id is not a sequence",
            content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "401", description = "No valid token", content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "403", description = "The token has neither the member nor the admin role",
            content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "429", description = "concurrency-limit: too many open streams in this workspace or "
            + "on this server", headers = @Header(name = "Retry-After", description = "seconds"),
            content = @Content(mediaType = "application/problem+json"))
    public void stream(
            @Parameter(description = "Only this task's events") @QueryParam("taskId") String taskId,
            @Parameter(description = "Only this run's events") @QueryParam("runId") String runId,
            @Parameter(description = "Resume after this event id (EventSource sends it when it reconnects)")
            @HeaderParam("Last-Event-ID") String lastEventIdHeader,
            @Parameter(description = "Resume after this event id, for clients that cannot send the header")
            @QueryParam("lastEventId") String lastEventIdQuery,
            @Context SseEventSink sink, @Context Sse sse) {
        UUID task = uuid("taskId", taskId);
        UUID run = uuid("runId", runId);
        Long lastEventId = lastEventId(lastEventIdHeader != null && !lastEventIdHeader.isBlank()
                ? lastEventIdHeader : lastEventIdQuery);
        String workspace = caller.workspace();
        // the stream ends with its token: exp is in seconds (0 when absent)
        long expiresAtMillis = jwt.getExpirationTime() * 1000L;
        connections.open(Vertx.currentContext(), new SseSinkChannel(sink, sse),
                new SseConnection.Subscription(workspace, task, run, lastEventId), expiresAtMillis);
    }

    private static UUID uuid(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.strip());
        } catch (IllegalArgumentException e) {
            throw ProblemException.validation(field, "must be a UUID");
        }
    }

    private static Long lastEventId(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long id = Long.parseLong(value.strip());
            if (id < 0) {
                throw ProblemException.validation("lastEventId", "must be an event id (a non-negative integer)");
            }
            return id;
        } catch (NumberFormatException e) {
            throw ProblemException.validation("lastEventId", "must be an event id (a non-negative integer)");
        }
    }
}
