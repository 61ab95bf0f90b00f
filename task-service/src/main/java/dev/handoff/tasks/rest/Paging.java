package dev.handoff.tasks.rest;

import dev.handoff.tasks.repository.ListPosition;
import dev.handoff.tasks.service.ListPage;
import dev.handoff.web.ListPaging;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.List;

/**
 * The contract's bounded lists ({@link ListPaging}) over briefs and tasks: a cursor names the last item's creation
 * time and sequence number.
 */
final class Paging {

    /**
     * Reads {@code limit} and {@code cursor}; {@code list} names the list a cursor must come from (a cursor of another
     * list is not ours). Anything wrong: 400 {@code validation-failed}, one violation per field.
     */
    static ListPaging.Request<ListPosition> parse(UriInfo uri, String list) {
        return ListPaging.parse(uri, list, Paging::position);
    }

    static ListPaging.Request<ListPosition> parse(String limit, String cursor, String list) {
        return ListPaging.parse(limit, cursor, list, Paging::position);
    }

    /** The page as a JSON array, with a {@code Link} to the next page when there is one. */
    static Response answer(ListPage<?> page, int limit, UriInfo uri, String list) {
        return ListPaging.answer(page.items(), page.next() == null ? null : values(page.next()), limit, uri, list);
    }

    static String encode(ListPosition position, String list) {
        return ListPaging.encode(values(position), list);
    }

    /** The position a cursor names, or null when it is not a cursor this service gave out for this list. */
    static ListPosition decode(String cursor, String list) {
        return ListPaging.decode(cursor, list, Paging::position);
    }

    private static List<String> values(ListPosition position) {
        return List.of(position.createdAt().toString(), Long.toString(position.seq()));
    }

    private static ListPosition position(List<String> values) {
        long seq = Long.parseLong(values.size() == 2 ? values.get(1) : "");
        if (seq < 1) {
            throw new IllegalArgumentException("not a sequence number");
        }
        return new ListPosition(Instant.parse(values.get(0)), seq);
    }

    private Paging() {
    }
}
