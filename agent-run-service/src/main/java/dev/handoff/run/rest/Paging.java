package dev.handoff.run.rest;

import dev.handoff.run.repository.RunPosition;
import dev.handoff.web.ListPaging;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The contract's bounded lists ({@link ListPaging}) over runs: a cursor names the last run's creation time and id. */
final class Paging {

    /** Reads {@code limit} and {@code cursor}; anything wrong: 400 {@code validation-failed}, one violation per field. */
    static ListPaging.Request<RunPosition> parse(UriInfo uri, String list) {
        return ListPaging.parse(uri, list, Paging::position);
    }

    static ListPaging.Request<RunPosition> parse(String limit, String cursor, String list) {
        return ListPaging.parse(limit, cursor, list, Paging::position);
    }

    /** The items as a JSON array, with a {@code Link} to the next page when there is one. */
    static Response answer(List<?> items, RunPosition next, int limit, UriInfo uri, String list) {
        return ListPaging.answer(items, next == null ? null : values(next), limit, uri, list);
    }

    static String encode(RunPosition position, String list) {
        return ListPaging.encode(values(position), list);
    }

    /** The position a cursor names, or null when it is not a cursor this service gave out for this list. */
    static RunPosition decode(String cursor, String list) {
        return ListPaging.decode(cursor, list, Paging::position);
    }

    private static List<String> values(RunPosition position) {
        return List.of(position.createdAt().toString(), position.id().toString());
    }

    private static RunPosition position(List<String> values) {
        if (values.size() != 2) {
            throw new IllegalArgumentException("not a position of this list");
        }
        return new RunPosition(Instant.parse(values.get(0)), UUID.fromString(values.get(1)));
    }

    private Paging() {
    }
}
