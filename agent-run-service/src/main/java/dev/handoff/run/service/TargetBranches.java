package dev.handoff.run.service;

import java.text.Normalizer;
import java.util.Locale;
import java.util.UUID;

/** The default target branch of a run: {@code handoff/<task-slug>-<run-id-first-8>}. */
public final class TargetBranches {

    static final int MAX_SLUG = 40;

    public static String defaultFor(String taskTitle, UUID runId) {
        return "handoff/" + slug(taskTitle) + "-" + runId.toString().substring(0, 8);
    }

    /** Lower case, {@code [a-z0-9-]} only, no leading, trailing or repeated dashes, at most 40 characters. */
    public static String slug(String title) {
        String slug = Normalizer.normalize(title == null ? "" : title, Normalizer.Form.NFD)
                .replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        if (slug.length() > MAX_SLUG) {
            slug = slug.substring(0, MAX_SLUG).replaceAll("-+$", "");
        }
        return slug.isEmpty() ? "task" : slug;
    }

    private TargetBranches() {
    }
}
