package dev.handoff.gateway.secrets;

import java.util.UUID;

/** The logical names of the secrets the gateway keeps: one place per workspace. */
public final class SecretNames {

    /** The workspace's provider API key. */
    public static String agentKey(String workspace) {
        return "workspaces/" + workspace + "/agent";
    }

    /** The workspace's own git token, for its local runs' clones, pushes and pull requests. */
    public static String gitToken(String workspace) {
        return "workspaces/" + workspace + "/git";
    }

    /** The per-run secret Cursor signs its webhooks with. */
    public static String webhookSecret(String workspace, UUID runId) {
        return "workspaces/" + workspace + "/runs/" + runId + "/webhook";
    }

    private SecretNames() {
    }
}
