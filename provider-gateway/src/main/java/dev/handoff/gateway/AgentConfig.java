package dev.handoff.gateway;

import java.time.Instant;

/** A workspace's agent configuration as stored; the key itself is in the secret store, only its hint is here. */
public record AgentConfig(String workspaceId, String provider, boolean enabled, String model, String keyHint,
        Instant verifiedAt, Instant updatedAt) {
}
