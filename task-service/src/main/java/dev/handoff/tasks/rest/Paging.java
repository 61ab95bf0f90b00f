package dev.handoff.tasks.rest;

import dev.handoff.tasks.repository.ListPosition;
import dev.handoff.tasks.service.ListPage;
import dev.handoff.web.ListPaging;
import dev.handoff.web.ProblemException;
import dev.handoff.web.ProblemException.Violation;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The contract's bounded lists ({@link ListPaging}) over briefs and tasks: a cursor names the last item's creation
 * time and sequence number.
 */
final class Paging {

    /** What a list request asks for: how many items, after which position (null: from the start). */
    record Request(int limit, ListPosition after) {
    }

    /**
     * Reads {@code limit} and {@code cursor} from the request's query; {@code list} names the list a cursor must come
     * from (a cursor of another list is not ours). Anything wrong: 400 {@code validation-failed}, one violation per
     * field.
     */
    static Request parse(UriInfo uri, String list) {
        return parse(ListPaging.rawParameter(uri, "limit"), ListPaging.rawParameter(uri, "cursor"), list);
    }

    static Request parse(String limit, String cursor, String list) {
        List<Violation> violations = new ArrayList<>();
        int size = ListPaging.limit(limit, violations);
        ListPosition after = null;
        if (cursor != null) {
            after = decode(cursor, list);
            if (after == null) {
                violations.add(ListPaging.foreignCursor());
            }
        }
        ProblemException.throwIfAny(violations);
        return new Request(size, after);
    }

    /** The page as a JSON array, with a {@code Link} to the next page when there is one. */
    static Response answer(ListPage<?> page, int limit, UriInfo uri, String list) {
        return ListPaging.answer(page.items(), page.next() == null ? null : encode(page.next(), list), limit, uri);
    }

    static String encode(ListPosition position, String list) {
        return ListPaging.cursor(list, position.createdAt().toString(), Long.toString(position.seq()));
    }

    /** The position a cursor names, or null when it is not a cursor this service gave out for this list. */
    static ListPosition decode(String cursor, String list) {
        String[] parts = ListPaging.cursorParts(cursor, list, 2);
        if (parts == null) {
            return null;
        }
        try {
            long seq = Long.parseLong(parts[1]);
            return seq < 1 ? null : new ListPosition(Instant.parse(parts[0]), seq);
        } catch (IllegalArgumentException | DateTimeException e) {
            // not a number, not a timestamp
            return null;
        }
    }

    private Paging() {
    }
}
