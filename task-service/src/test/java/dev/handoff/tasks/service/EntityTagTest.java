package dev.handoff.tasks.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.web.ProblemException;
import org.junit.jupiter.api.Test;

/** The If-Match rule, without booting Quarkus. */
class EntityTagTest {

    @Test
    void anETagIsTheQuotedRevision() {
        assertEquals("\"0\"", EntityTag.of(0));
        assertEquals("\"17\"", EntityTag.of(17));
    }

    @Test
    void noIfMatchOrAStarOrAListNamingTheCurrentTagMatches() {
        assertTrue(EntityTag.matches(null, 3));
        assertTrue(EntityTag.matches("", 3));
        assertTrue(EntityTag.matches("*", 3));
        assertTrue(EntityTag.matches("\"3\"", 3));
        assertTrue(EntityTag.matches("\"1\", \"3\"", 3));
        assertTrue(EntityTag.matches(" \"3\" ", 3));
    }

    @Test
    void anOlderTagAWeakTagOrAnUnquotedOneDoesNot() {
        assertFalse(EntityTag.matches("\"2\"", 3));
        assertFalse(EntityTag.matches("W/\"3\"", 3));
        assertFalse(EntityTag.matches("3", 3));
        assertFalse(EntityTag.matches("\"1\", \"2\"", 3));
    }

    @Test
    void aStaleTagIsA412WithTheCurrentETag() {
        ProblemException refused = assertThrows(ProblemException.class,
                () -> EntityTag.requireMatch("\"2\"", 3, "task 42"));
        assertEquals(412, refused.status());
        assertEquals("precondition-failed", refused.code());
        assertEquals("\"3\"", refused.headers().get("ETag"));
    }
}
