package dev.handoff.web;

import dev.handoff.web.ProblemException.Violation;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The contract's bounded lists, for every service: {@code ?limit=} (1-200, default 50) and {@code ?cursor=}, an opaque
 * token naming where the previous page ended (base64url of a version, the list's name and the last item's position).
 * The answer stays a JSON array; when more items exist it carries {@code Link: <same path, next cursor>; rel="next"}.
 * Parameters are read from the raw query because Quarkus REST hands an empty value ({@code ?limit=}) over as absent,
 * and an empty limit is not a number.
 */
public final class ListPaging {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;
    /** Far longer than any cursor of ours; a longer one is refused before it is decoded. */
    private static final int CURSOR_MAX = 512;
    private static final String VERSION = "1";

    /** The first value of the query parameter (empty when given without one), or null when it is absent. */
    public static String rawParameter(UriInfo uri, String name) {
        String query = uri.getRequestUri().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (decode(key).equals(name)) {
                return equals < 0 ? "" : decode(pair.substring(equals + 1));
            }
        }
        return null;
    }

    /** {@code limit} as given (null: the default); a wrong one adds a violation and answers the default. */
    public static int limit(String raw, List<Violation> violations) {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw.strip());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        violations.add(new Violation("limit", "must be a whole number between 1 and " + MAX_LIMIT));
        return DEFAULT_LIMIT;
    }

    /** The violation of a cursor that {@link #cursorParts} did not recognise. */
    public static Violation foreignCursor() {
        return new Violation("cursor", "is not a cursor of this list (use the one in the Link header of the previous page)");
    }

    /** A cursor of the list {@code list} naming the position {@code parts} (no part may contain {@code |}). */
    public static String cursor(String list, String... parts) {
        String plain = VERSION + "|" + list + "|" + String.join("|", parts);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The {@code count} parts of a cursor this service gave out for {@code list}, or null when it is not one (another
     * list's, another version's, not base64url, too long, the wrong number of parts).
     */
    public static String[] cursorParts(String cursor, String list, int count) {
        if (cursor.isEmpty() || cursor.length() > CURSOR_MAX) {
            return null;
        }
        try {
            String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] parts = plain.split("\\|", -1);
            if (parts.length != count + 2 || !parts[0].equals(VERSION) || !parts[1].equals(list)) {
                return null;
            }
            return Arrays.copyOfRange(parts, 2, parts.length);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The items as a JSON array, with a {@code Link} to the page at {@code nextCursor} when there is one. */
    public static Response answer(List<?> items, String nextCursor, int limit, UriInfo uri) {
        Response.ResponseBuilder response = Response.ok(items);
        if (nextCursor != null) {
            URI next = uri.getRequestUriBuilder()
                    .replaceQueryParam("limit", limit)
                    .replaceQueryParam("cursor", nextCursor)
                    .build();
            String target = next.getRawPath() + (next.getRawQuery() == null ? "" : "?" + next.getRawQuery());
            response.header("Link", "<" + target + ">; rel=\"next\"");
        }
        return response.build();
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // a broken %-escape: kept as it came, and then refused as not a number, not a UUID or not a cursor of ours
            return text;
        }
    }

    private ListPaging() {
    }
}
