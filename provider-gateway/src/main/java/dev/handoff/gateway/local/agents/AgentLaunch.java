package dev.handoff.gateway.local.agents;

import java.util.HashMap;
import java.util.Map;

/**
 * What runs as a workspace's local agent: the preset, its model, the workspace's key (handed only to that agent's
 * process) and, for a follow-up, the session to resume. Never printed with its key.
 */
public record AgentLaunch(AgentPreset preset, String model, String apiKey, String resumeSession) {

    /** The key in each variable the preset's CLI reads; nothing when there is no key. */
    public Map<String, String> keyEnvironment() {
        Map<String, String> env = new HashMap<>();
        if (apiKey != null && !apiKey.isEmpty()) {
            preset.keyVariables(model).forEach(variable -> env.put(variable, apiKey));
        }
        return env;
    }

    public String command() {
        return preset.command(model, resumeSession);
    }

    @Override
    public String toString() {
        return "AgentLaunch[preset=" + preset.id() + ", model=" + model + ", key=" + (apiKey == null ? "none" : "set")
                + ", resume=" + resumeSession + "]";
    }
}
