package dev.handoff.tasks.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.handoff.tasks.repository.ListPosition;
import dev.handoff.web.ProblemException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Limit and cursor reading, without booting Quarkus. */
class PagingTest {

    private static final ListPosition AT = new ListPosition(Instant.parse("2026-12-01T10:15:30.123Z"), 42);

    @Test
    void aCursorNamesItsListAndPositionAndReadsBackExactly() {
        String cursor = Paging.encode(AT, "briefs");
        assertEquals(AT, Paging.decode(cursor, "briefs"));
        assertEquals(AT, Paging.parse("10", cursor, "briefs").after());
        // url-safe as it stands: no padding, no '+' or '/'
        assertEquals(cursor, java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aCursorOfAnotherListOrNotOursIsNoPosition() {
        assertNull(Paging.decode(Paging.encode(AT, "tasks:a"), "tasks:b"));
        assertNull(Paging.decode(Paging.encode(AT, "briefs"), "tasks:a"));
        assertNull(Paging.decode("not base64 !", "briefs"));
        assertNull(Paging.decode("", "briefs"));
        assertNull(Paging.decode("x".repeat(600), "briefs"));
        assertNull(Paging.decode(base64("1|briefs|2026-12-01T10:15:30Z|0"), "briefs"));
        assertNull(Paging.decode(base64("1|briefs|yesterday|5"), "briefs"));
        assertNull(Paging.decode(base64("2|briefs|2026-12-01T10:15:30Z|5"), "briefs"));
        assertNull(Paging.decode(base64("1|briefs|2026-12-01T10:15:30Z|5|extra"), "briefs"));
    }

    @Test
    void theLimitIsOneToTwoHundredAndFiftyWhenAbsent() {
        assertEquals(50, Paging.parse(null, null, "briefs").limit());
        assertEquals(1, Paging.parse("1", null, "briefs").limit());
        assertEquals(200, Paging.parse("200", null, "briefs").limit());
        assertNull(Paging.parse(null, null, "briefs").after());
        for (String bad : List.of("0", "201", "-1", "", "abc", "1.5", "99999999999", "0x10")) {
            assertEquals(List.of("limit"), fieldsOf(() -> Paging.parse(bad, null, "briefs")), bad);
        }
        assertEquals(List.of("limit", "cursor"), fieldsOf(() -> Paging.parse("0", "nope", "briefs")));
    }

    private static List<String> fieldsOf(Runnable parse) {
        ProblemException refused = assertThrows(ProblemException.class, parse::run);
        assertEquals(400, refused.status());
        assertEquals("validation-failed", refused.code());
        @SuppressWarnings("unchecked")
        List<ProblemException.Violation> violations = (List<ProblemException.Violation>) refused.problem().extensions()
                .get("violations");
        return violations.stream().map(ProblemException.Violation::field).toList();
    }

    private static String base64(String plain) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes());
    }
}
