package dev.handoff.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Oversize requests get a problem document too. Quarkus answers a body over {@code quarkus.http.limits.max-body-size}
 * with a bare 413 (route order -2) and Vert.x a request line over {@code max-initial-line-length} with a bare 414;
 * this route runs before both and answers 413 {@code payload-too-large} / 414 {@code uri-too-long} as
 * {@code application/problem+json}. The server's initial-line limit is set far above {@link #MAX_URI_LENGTH} (see
 * the shared configuration), so a long URI reaches this check instead of the decoder.
 */
@ApplicationScoped
public class RequestLimits {

    /** Longer request targets are refused: no path of the contract comes close (a UUID is 36 characters). */
    static final int MAX_URI_LENGTH = 8 * 1024;
    private static final int ORDER = -10;

    private final long maxBodySize;
    private final ObjectMapper json = new ObjectMapper();

    public RequestLimits(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.maxBodySize = maxBodySize.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        if (ctx.request().uri().length() > MAX_URI_LENGTH) {
            refuse(ctx, 414, "uri-too-long", "URI too long",
                    "the request target is longer than " + MAX_URI_LENGTH + " characters");
            return;
        }
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && tooLong(length)) {
            refuse(ctx, 413, "payload-too-large", "Payload too large",
                    "the request body is larger than " + maxBodySize + " bytes");
            return;
        }
        ctx.next();
    }

    private boolean tooLong(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim()) > maxBodySize;
        } catch (NumberFormatException e) {
            return false; // the HTTP codec has the last word on a malformed header
        }
    }

    /** Answers and closes the connection: the rest of an oversize body is not worth reading. */
    private void refuse(RoutingContext ctx, int status, String code, String title, String detail) {
        String body;
        try {
            body = json.writeValueAsString(new Problem(status, code, title, detail, null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .endHandler(ended -> ctx.request().connection().close())
                .end(body);
    }
}
