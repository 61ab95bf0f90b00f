package dev.handoff.run.client;

import java.time.Instant;
import java.util.List;

/**
 * The workspace's agent configuration as provider-gateway answers it (never a key), with the providers the gateway
 * has ({@code providers}; null from a gateway that does not say).
 */
public record AgentConfig(String provider, boolean enabled, String model, String keyHint, Instant verifiedAt,
        Instant updatedAt, List<ProviderInfo> providers) {
}
