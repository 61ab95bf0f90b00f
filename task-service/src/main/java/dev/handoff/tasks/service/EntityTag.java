package dev.handoff.tasks.service;

import dev.handoff.web.ProblemException;
import java.util.Map;

/**
 * The strong entity tag of a brief or a task (its revision, quoted: {@code "3"}) and the {@code If-Match} rule:
 * absent, no condition; {@code *}, any existing entity; otherwise one of the listed tags must be the current one
 * (compared strongly, so a weak {@code W/"3"} never matches). Checked after the entity is locked, so two writers with
 * the same tag cannot both pass.
 */
public final class EntityTag {

    public static final String PRECONDITION_FAILED = "precondition-failed";

    public static String of(long version) {
        return "\"" + version + "\"";
    }

    /** Throws 412 {@code precondition-failed} (with the current ETag) unless {@code ifMatch} allows the change. */
    public static void requireMatch(String ifMatch, long version, String what) {
        if (matches(ifMatch, version)) {
            return;
        }
        String current = of(version);
        throw new ProblemException(412, PRECONDITION_FAILED, "Precondition failed",
                what + " was changed since the version named in If-Match; its current ETag is " + current
                        + ": read it again and resend the change",
                Map.of(), Map.of("ETag", current));
    }

    static boolean matches(String ifMatch, long version) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return true;
        }
        String current = of(version);
        for (String tag : ifMatch.split(",")) {
            String candidate = tag.trim();
            if (candidate.equals("*") || candidate.equals(current)) {
                return true;
            }
        }
        return false;
    }

    private EntityTag() {
    }
}
