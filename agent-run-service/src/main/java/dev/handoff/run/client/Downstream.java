package dev.handoff.run.client;

import dev.handoff.events.EventJson;
import jakarta.ws.rs.WebApplicationException;
import java.util.Optional;

/** What the two clients share: how a response becomes a value, a "not there", or a failure. */
final class Downstream {

    static <T> Optional<T> parse(String json, Class<T> type) {
        return Optional.of(EventJson.fromJson(json, type));
    }

    /** 404 -> empty; other 4xx -> {@link DownstreamRejected} (not retried); anything else fails as it came. */
    static <T> Optional<T> notFoundOrFail(String service, Throwable failure) {
        if (failure instanceof WebApplicationException web && web.getResponse() != null) {
            int status = web.getResponse().getStatus();
            if (status == 404) {
                return Optional.empty();
            }
            if (status >= 400 && status < 500) {
                throw new DownstreamRejected(service, status);
            }
        }
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        throw new IllegalStateException(failure);
    }

    private Downstream() {
    }
}
