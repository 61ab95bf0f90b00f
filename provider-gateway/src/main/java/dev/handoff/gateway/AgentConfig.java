package dev.handoff.gateway;

import java.time.Instant;

/**
 * A workspace's agent configuration as stored; the key and the git token themselves are in the secret store, only their
 * hints are here. {@code agent} is the local provider's preset (null for other providers).
 */
public record AgentConfig(String workspaceId, String provider, boolean enabled, String model, String keyHint,
        Instant verifiedAt, Instant updatedAt, String agent, String gitTokenHint) {
}
