package dev.handoff.notify.webhook;

import dev.handoff.web.Caller;
import dev.handoff.web.ProblemException;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
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
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

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
    @Operation(summary = "This workspace's webhooks (without their secrets)")
    public Uni<List<WebhookView>> list() {
        return service.list(caller.workspace()).map(webhooks -> webhooks.stream().map(WebhookView::of).toList());
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
    @Operation(summary = "The webhook's deliveries, newest first")
    @APIResponse(responseCode = "200", description = "The delivery log",
            content = @Content(schema = @Schema(implementation = DeliveryView.class, type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY)))
    @APIResponse(responseCode = "404", description = "No such webhook in this workspace",
            content = @Content(mediaType = "application/problem+json"))
    public Uni<List<DeliveryView>> deliveries(@PathParam("id") UUID id,
            @Parameter(description = "At most this many (1-500, default 50)") @QueryParam("limit") String limit) {
        return service.deliveries(caller.workspace(), id, limit(limit));
    }

    private static int limit(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value.strip());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.validation("limit", "must be a number from 1 to " + MAX_LIMIT);
    }
}
