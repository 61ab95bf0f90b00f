package dev.handoff.run.rest;

import dev.handoff.run.repository.RunPosition;
import dev.handoff.web.ListPaging;
import dev.handoff.web.ProblemException;
import dev.handoff.web.ProblemException.Violation;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The contract's bounded lists ({@link ListPaging}) over runs: a cursor names the last run's creation time and id.
 */
final class Paging {

    /** What a list request asks for: how many items, after which position (null: from the start). */
    record Request(int limit, RunPosition after) {
    }

    /**
     * Reads {@code limit} and {@code cursor} from the request's query; {@code list} names the list a cursor must come
     * from. Anything wrong: 400 {@code validation-failed}, one violation per field.
     */
    static Request parse(UriInfo uri, String list) {
        return parse(ListPaging.rawParameter(uri, "limit"), ListPaging.rawParameter(uri, "cursor"), list);
    }

    static Request parse(String limit, String cursor, String list) {
        List<Violation> violations = new ArrayList<>();
        int size = ListPaging.limit(limit, violations);
        RunPosition after = null;
        if (cursor != null) {
            after = decode(cursor, list);
            if (after == null) {
                violations.add(ListPaging.foreignCursor());
            }
        }
        ProblemException.throwIfAny(violations);
        return new Request(size, after);
    }

    /** The items as a JSON array, with a {@code Link} to the next page when there is one. */
    static Response answer(List<?> items, RunPosition next, int limit, UriInfo uri, String list) {
        return ListPaging.answer(items, next == null ? null : encode(next, list), limit, uri);
    }

    static String encode(RunPosition position, String list) {
        return ListPaging.cursor(list, position.createdAt().toString(), position.id().toString());
    }

    /** The position a cursor names, or null when it is not a cursor this service gave out for this list. */
    static RunPosition decode(String cursor, String list) {
        String[] parts = ListPaging.cursorParts(cursor, list, 2);
        if (parts == null) {
            return null;
        }
        try {
            return new RunPosition(Instant.parse(parts[0]), UUID.fromString(parts[1]));
        } catch (IllegalArgumentException | DateTimeException e) {
            // not a uuid, not a timestamp
            return null;
        }
    }

    private Paging() {
    }
}
