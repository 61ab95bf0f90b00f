package dev.handoff.run.client;

/**
 * One provider the gateway has, as {@code GET /api/agent-config/providers} answers it.
 *
 * @param keyRequired      a workspace configures it with an API key
 * @param fileRepositories it clones {@code file://} repositories (on the gateway's machine)
 */
public record ProviderInfo(String name, boolean keyRequired, boolean fileRepositories) {
}
