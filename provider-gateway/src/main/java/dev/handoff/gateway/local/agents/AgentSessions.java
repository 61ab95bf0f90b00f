package dev.handoff.gateway.local.agents;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An agent's session id, as stored on the run ({@code <preset>:<id>}) so that a follow-up resumes it only with the
 * same preset. The id comes from the agent's own output, so only a plain token is kept: it goes back on the agent's
 * command line.
 */
public final class AgentSessions {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");

    private AgentSessions() {
    }

    public static boolean valid(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** What the run stores: the preset and the id. */
    public static String stored(AgentPreset preset, String id) {
        return preset.id() + ":" + id;
    }

    /** The id to resume with {@code preset}, when the stored session is one of that preset's. */
    public static Optional<String> resumable(String stored, AgentPreset preset) {
        if (stored == null || !stored.startsWith(preset.id() + ":")) {
            return Optional.empty();
        }
        String id = stored.substring(preset.id().length() + 1);
        return valid(id) ? Optional.of(id) : Optional.empty();
    }
}
