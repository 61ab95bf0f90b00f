package dev.handoff.tasks.rest;

import dev.handoff.tasks.repository.ListPosition;
import dev.handoff.tasks.service.InputValidation;
import dev.handoff.tasks.service.ListPage;
import dev.handoff.web.ListPaging;
import dev.handoff.web.ProblemException.Violation;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The contract's bounded lists: {@code ?limit=} (1-200, default 50) and {@code ?cursor=}, an opaque token naming
 * where the previous page ended (base64url of the list's name, the last item's creation time and sequence number).
 * The answer stays a JSON array; when more items exist it carries {@code Link: <same path, next cursor>; rel="next"}.
 */
final class Paging {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    /** Far longer than any cursor of ours; a longer one is refused before it is decoded. */
    private static final int CURSOR_MAX = 512;
    private static final String VERSION = "1";

    /** What a list request asks for: how many items, after which position (null: from the start). */
    record Request(int limit, ListPosition after) {
    }

    /**
     * Reads {@code limit} and {@code cursor} from the request's query; {@code list} names the list a cursor must come
     * from (a cursor of another list is not ours). Anything wrong: 400 {@code validation-failed}, one violation per
     * field. Read from the raw query because Quarkus REST hands an empty value ({@code ?limit=}) over as absent, and
     * an empty limit is not a number.
     */
    static Request parse(UriInfo uri, String list) {
        return parse(ListPaging.rawParameter(uri, "limit"), ListPaging.rawParameter(uri, "cursor"), list);
    }

    static Request parse(String limit, String cursor, String list) {
        List<Violation> violations = new ArrayList<>();
        int size = DEFAULT_LIMIT;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit.trim());
                if (size < 1 || size > MAX_LIMIT) {
                    violations.add(new Violation("limit", "must be between 1 and " + MAX_LIMIT));
                }
            } catch (NumberFormatException e) {
                violations.add(new Violation("limit", "must be a whole number between 1 and " + MAX_LIMIT));
            }
        }
        ListPosition after = null;
        if (cursor != null) {
            after = decode(cursor, list);
            if (after == null) {
                violations.add(new Violation("cursor", "is not a cursor of this list (use the one in the Link "
                        + "header of the previous page)"));
            }
        }
        InputValidation.throwIfAny(violations);
        return new Request(size, after);
    }

    /** The page as a JSON array, with a {@code Link} to the next page when there is one. */
    static Response answer(ListPage<?> page, int limit, UriInfo uri, String list) {
        Response.ResponseBuilder response = Response.ok(page.items());
        if (page.next() != null) {
            URI next = uri.getRequestUriBuilder()
                    .replaceQueryParam("limit", limit)
                    .replaceQueryParam("cursor", encode(page.next(), list))
                    .build();
            String target = next.getRawPath() + (next.getRawQuery() == null ? "" : "?" + next.getRawQuery());
            response.header("Link", "<" + target + ">; rel=\"next\"");
        }
        return response.build();
    }

    static String encode(ListPosition position, String list) {
        String plain = VERSION + "|" + list + "|" + position.createdAt() + "|" + position.seq();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** The position a cursor names, or null when it is not a cursor this service gave out for this list. */
    static ListPosition decode(String cursor, String list) {
        if (cursor.isEmpty() || cursor.length() > CURSOR_MAX) {
            return null;
        }
        try {
            String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] parts = plain.split("\\|", -1);
            if (parts.length != 4 || !parts[0].equals(VERSION) || !parts[1].equals(list)) {
                return null;
            }
            long seq = Long.parseLong(parts[3]);
            return seq < 1 ? null : new ListPosition(Instant.parse(parts[2]), seq);
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            // not base64url, not a number, not a timestamp
            return null;
        }
    }

    private Paging() {
    }
}
