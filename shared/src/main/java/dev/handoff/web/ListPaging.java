package dev.handoff.web;

import dev.handoff.web.ProblemException.Violation;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

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

    /** What a list request asks for: how many items, after which position (null: from the start). */
    public record Request<T>(int limit, T after) {
    }

    /**
     * Reads {@code limit} and {@code cursor} from the request's raw query. {@code list} names the list a cursor must
     * come from; {@code position} reads a cursor's values and throws {@link IllegalArgumentException} or
     * {@link DateTimeException} for values that are none. Anything wrong: 400 {@code validation-failed}, one violation
     * per parameter.
     */
    public static <T> Request<T> parse(UriInfo uri, String list, Function<List<String>, T> position) {
        return parse(rawParameter(uri, "limit"), rawParameter(uri, "cursor"), list, position);
    }

    /** The same from the parameters' raw values (null: absent). */
    public static <T> Request<T> parse(String limit, String cursor, String list, Function<List<String>, T> position) {
        List<Violation> violations = new ArrayList<>();
        int size = limit(limit, violations);
        T after = null;
        if (cursor != null) {
            after = decode(cursor, list, position);
            if (after == null) {
                violations.add(new Violation("cursor",
                        "is not a cursor of this list (use the one in the Link header of the previous page)"));
            }
        }
        ProblemException.throwIfAny(violations);
        return new Request<>(size, after);
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

    /** The items as a JSON array, with a {@code Link} to the page after {@code next} (null: this is the last page). */
    public static Response answer(List<?> items, List<String> next, int limit, UriInfo uri, String list) {
        Response.ResponseBuilder response = Response.ok(items);
        if (next != null) {
            URI target = uri.getRequestUriBuilder()
                    .replaceQueryParam("limit", limit)
                    .replaceQueryParam("cursor", encode(next, list))
                    .build();
            String link = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
            response.header("Link", "<" + link + ">; rel=\"next\"");
        }
        return response.build();
    }

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

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // a broken %-escape: kept as it came, and then refused as not a number, not a UUID or not a cursor of ours
            return text;
        }
    }

    /** A cursor of the list {@code list} naming the position {@code position} (no value may contain {@code |}). */
    public static String encode(List<String> position, String list) {
        String plain = VERSION + "|" + list + "|" + String.join("|", position);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** The position a cursor names, or null when it is not a cursor this service gave out for this list. */
    public static <T> T decode(String cursor, String list, Function<List<String>, T> position) {
        if (cursor.isEmpty() || cursor.length() > CURSOR_MAX) {
            return null;
        }
        try {
            String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            List<String> parts = Arrays.asList(plain.split("\\|", -1));
            if (parts.size() < 3 || !parts.get(0).equals(VERSION) || !parts.get(1).equals(list)) {
                return null;
            }
            return position.apply(parts.subList(2, parts.size()));
        } catch (IllegalArgumentException | DateTimeException | IndexOutOfBoundsException e) {
            // not base64url, or values that are none
            return null;
        }
    }

    private ListPaging() {
    }
}
