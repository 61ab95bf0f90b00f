package dev.handoff.notify.rest;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Browsers' EventSource cannot send headers, so {@code GET /api/events} also takes the token as the
 * {@code access_token} query parameter: it becomes the Authorization header before authentication looks for one.
 * Only for this path, and never over a header the client did send.
 */
@ApplicationScoped
public class AccessTokenFromQuery {

    static final String PARAMETER = "access_token";
    private static final int BEFORE_EVERYTHING = 1000;

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            if (EventStreamResource.PATH.equals(rc.normalizedPath())
                    && rc.request().getHeader(HttpHeaders.AUTHORIZATION) == null) {
                String token = rc.request().getParam(PARAMETER);
                if (token != null && !token.isBlank()) {
                    rc.request().headers().set(HttpHeaders.AUTHORIZATION, "Bearer " + token.strip());
                }
            }
            rc.next();
        }, BEFORE_EVERYTHING);
    }
}
