package dev.handoff.run.client;

import java.time.Instant;

/** The workspace's agent configuration as provider-gateway answers it (never a key). */
public record AgentConfig(String provider, boolean enabled, String model, String keyHint, Instant verifiedAt,
        Instant updatedAt) {
}
