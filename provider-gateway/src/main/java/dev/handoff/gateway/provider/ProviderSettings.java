package dev.handoff.gateway.provider;

/**
 * What a provider needs from a workspace's agent configuration ({@code PUT /api/agent-config}) and what a launch may
 * hand it. The run service reads these through {@code GET /api/agent-config/providers}.
 *
 * @param keyRequired      an API key is required, checked with {@link AgentProvider#verifyKey} and kept in the secret
 *                         store; when false the provider takes no key
 * @param fileRepositories the provider clones {@code file://} repositories on the gateway's own machine
 */
public record ProviderSettings(boolean keyRequired, boolean fileRepositories) {
}
