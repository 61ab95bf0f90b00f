package dev.handoff.gateway.cursor;

import dev.handoff.web.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Cursor's status webhooks (FINISHED, ERROR). No bearer token: each request is authenticated by its
 * {@code X-Webhook-Signature}, an HMAC-SHA256 of the raw body with the run's own secret.
 */
@Path("/webhooks/cursor")
@Tag(name = "Webhooks", description = "Called by Cursor, not by clients")
public class CursorWebhookResource {

    private final CursorWebhooks webhooks;

    public CursorWebhookResource(CursorWebhooks webhooks) {
        this.webhooks = webhooks;
    }

    @POST
    @Path("/{runId}")
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cursor's statusChange webhook for one run")
    @APIResponse(responseCode = "200", description = "Received (a redelivery changes nothing)")
    @APIResponse(responseCode = "401", description = "Missing or wrong signature: nothing changed")
    public Uni<Response> receive(@PathParam("runId") String runId, @HeaderParam(WebhookSignature.HEADER) String signature,
            byte[] body) {
        UUID id;
        try {
            id = UUID.fromString(runId);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(rejected());
        }
        return webhooks.receive(id, body == null ? new byte[0] : body, signature)
                .map(accepted -> accepted ? Response.ok(Map.of("received", true)).build() : rejected());
    }

    private static Response rejected() {
        return new Problem(401, "unauthorized", "Unauthorized", "the webhook signature is missing or wrong", null).toResponse();
    }
}
