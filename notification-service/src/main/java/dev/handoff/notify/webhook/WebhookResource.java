package dev.handoff.notify.webhook;

import dev.handoff.web.Caller;
import dev.handoff.web.ListPaging;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** HTTP only: the workspace's outgoing webhooks (admin). */
@Path(WebhookResource.PATH)
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Caller.ADMIN)
@Tag(name = "Webhooks", description = "Signed HTTP callbacks for run events (admin)")
@APIResponse(responseCode = "401", description = "No valid token", content = @Content(mediaType = "application/problem+json"))
@APIResponse(responseCode = "403", description = "Not an admin", content = @Content(mediaType = "application/problem+json"))
public class WebhookResource {

    static final String PATH = "/api/webhooks";
    private static final String LIMIT = "At most this many (1-200, default 50)";
    private static final String CURSOR = "Where the previous page ended: take it from that page's Link header";
    private static final String LINK = "<the same path with the next cursor>; rel=\"next\": only when more items exist";

    private final Caller caller;
    private final WebhookService service;

    public WebhookResource(Caller caller, WebhookService service) {
        this.caller = caller;
        this.service = service;
    }

    /** A webhook as listed: never its secret. */
    public record WebhookView(UUID id, String url, List<String> events, String format, Instant createdAt) {
        static WebhookView of(Webhook webhook) {
            return new WebhookView(webhook.id(), webhook.url(), webhook.events(), webhook.format().value(),
                    webhook.createdAt());
        }
    }

    /** The answer to a registration, the only one that carries the secret. */
    public record CreatedWebhookView(UUID id, String url, List<String> events, String format, String secret,
            Instant createdAt) {
    }

    public record CreateWebhook(
            @Schema(description = "http(s) URL of the receiver", example = "https://hooks.slack.com/services/T000/B000/XXXX")
            String url,
            @Schema(description = "run.status-changed and/or run.pull-request-opened; default both") List<String> events,
            @Schema(description = "handoff (default) or slack", example = "handoff") String format) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Register a webhook", description = """
            Every event of the chosen kinds in this workspace is POSTed to `url`, signed with the returned `secret` \
            (`X-Handoff-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`). The secret is \
            shown only in this answer. Hosts resolving to loopback, private or link-local addresses are refused.""")
    @APIResponse(responseCode = "201", description = "Registered; the secret is shown only here",
            content = @Content(schema = @Schema(implementation = CreatedWebhookView.class)))
    @APIResponse(responseCode = "400", description = "validation-failed", content = @Content(mediaType = "application/problem+json"))
    public Uni<Response> create(CreateWebhook body) {
        String workspace = caller.workspace();
        WebhookService.Registration registration = body == null ? null
                : new WebhookService.Registration(body.url(), body.events(), body.format());
        return service.create(workspace, registration).map(created -> {
            Webhook webhook = created.webhook();
            return Response.created(URI.create(PATH + "/" + webhook.id()))
                    .entity(new CreatedWebhookView(webhook.id(), webhook.url(), webhook.events(), webhook.format().value(),
                            created.secret(), webhook.createdAt()))
                    .build();
        });
    }

    @GET
    @Operation(summary = "This workspace's webhooks (without their secrets), oldest first, one page",
            description = "Bounded like every list: `limit` (1-200, default 50), `cursor` and `Link: rel=\"next\"`.")
    @APIResponse(responseCode = "200", description = "The webhooks", headers = @Header(name = "Link", description = LINK),
            content = @Content(schema = @Schema(implementation = WebhookView.class, type = SchemaType.ARRAY)))
    @APIResponse(responseCode = "400", description = "validation-failed: bad limit or cursor",
            content = @Content(mediaType = "application/problem+json"))
    public Uni<Response> list(@Parameter(description = LIMIT) @QueryParam("limit") String limit,
            @Parameter(description = CURSOR) @QueryParam("cursor") String cursor, @Context UriInfo uri) {
        return Uni.createFrom().deferred(() -> {
            ListPaging.Request<WebhookStore.WebhookPosition> page = ListPaging.parse(uri, "webhooks",
                    parts -> new WebhookStore.WebhookPosition(createdAt(parts), UUID.fromString(parts.get(1))));
            return service.list(caller.workspace(), page.limit(), page.after())
                    .map(found -> ListPaging.answer(found.items().stream().map(WebhookView::of).toList(), found.next(),
                            page.limit(), uri, "webhooks"));
        });
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a webhook and its delivery log")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "No such webhook in this workspace",
            content = @Content(mediaType = "application/problem+json"))
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return service.delete(caller.workspace(), id).map(v -> Response.noContent().build());
    }

    @GET
    @Path("/{id}/deliveries")
    @Operation(summary = "The webhook's deliveries, newest first, one page",
            description = "Bounded like every list: `limit` (1-200, default 50), `cursor` and `Link: rel=\"next\"`.")
    @APIResponse(responseCode = "200", description = "The delivery log", headers = @Header(name = "Link", description = LINK),
            content = @Content(schema = @Schema(implementation = DeliveryView.class, type = SchemaType.ARRAY)))
    @APIResponse(responseCode = "400", description = "validation-failed: bad limit or cursor",
            content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "404", description = "No such webhook in this workspace",
            content = @Content(mediaType = "application/problem+json"))
    public Uni<Response> deliveries(@PathParam("id") UUID id,
            @Parameter(description = LIMIT) @QueryParam("limit") String limit,
            @Parameter(description = CURSOR) @QueryParam("cursor") String cursor, @Context UriInfo uri) {
        // a cursor names the webhook whose log it came from: another webhook's is not one of this list's
        String list = "deliveries:" + id;
        return Uni.createFrom().deferred(() -> {
            ListPaging.Request<WebhookStore.DeliveryPosition> page = ListPaging.parse(uri, list,
                    parts -> new WebhookStore.DeliveryPosition(createdAt(parts), Long.parseLong(parts.get(1))));
            return service.deliveries(caller.workspace(), id, page.limit(), page.after())
                    .map(found -> ListPaging.answer(found.items(), found.next(), page.limit(), uri, list));
        });
    }

    /** The creation time of a cursor's two values (creation time, then id or sequence); other cursors are none of ours. */
    private static Instant createdAt(List<String> parts) {
        if (parts.size() != 2) {
            throw new IllegalArgumentException("not a position of this list");
        }
        return Instant.parse(parts.get(0));
    }
}
