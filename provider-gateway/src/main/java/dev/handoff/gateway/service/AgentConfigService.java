package dev.handoff.gateway.service;

import dev.handoff.gateway.AgentConfig;
import dev.handoff.gateway.local.LocalProvider;
import dev.handoff.gateway.local.agents.AgentPreset;
import dev.handoff.gateway.local.agents.LocalAgents;
import dev.handoff.gateway.provider.AgentProvider;
import dev.handoff.gateway.provider.AgentProviders;
import dev.handoff.gateway.repository.AgentConfigRepository;
import dev.handoff.gateway.secrets.SecretNames;
import dev.handoff.gateway.secrets.SecretStore;
import dev.handoff.web.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * A workspace's agent configuration: which provider (and, for the local provider, which agent preset), whether agents
 * may run, the provider's API key when it needs or takes one, and the workspace's own git token. A Cursor key is
 * checked with Cursor first; keys and tokens are kept in the secret store and shown only as their last four characters.
 */
@ApplicationScoped
public class AgentConfigService {

    private final AgentConfigRepository configs;
    private final SecretStore secrets;
    private final AgentProviders providers;
    private final LocalAgents localAgents;

    public AgentConfigService(AgentConfigRepository configs, SecretStore secrets, AgentProviders providers,
            LocalAgents localAgents) {
        this.configs = configs;
        this.secrets = secrets;
        this.providers = providers;
        this.localAgents = localAgents;
    }

    /**
     * What an admin asks for; the key and the git token are only ever passed on to the provider check and the secret
     * store. A null {@code gitToken} keeps the stored one, an empty one removes it. For the local provider a null
     * {@code apiKey} keeps the stored key while the agent stays the same, an empty one removes it.
     */
    public record Change(String provider, String agent, String apiKey, boolean enabled, String model, String gitToken) {

        public Change(String provider, String apiKey, boolean enabled, String model) {
            this(provider, null, apiKey, enabled, model, null);
        }

        @Override
        public String toString() {
            return "Change[provider=" + provider + ", agent=" + agent + ", enabled=" + enabled + ", model=" + model + "]";
        }
    }

    public Uni<Optional<AgentConfig>> find(String workspace) {
        return configs.find(workspace);
    }

    /** The agent presets the operator enabled, the first being a workspace's default. */
    public List<String> agents() {
        return localAgents.names();
    }

    public Uni<AgentConfig> configure(String workspace, Change change) {
        AgentProvider provider = providers.named(change.provider())
                .orElseThrow(() -> ProblemException.validation("provider", providers.mustBeOneOf()));
        String key = change.apiKey() == null || change.apiKey().isBlank() ? null : change.apiKey().strip();
        if (!provider.name().equals(LocalProvider.NAME) && change.agent() != null && !change.agent().isBlank()) {
            throw ProblemException.validation("agent", "is chosen only for the local provider");
        }
        return configs.find(workspace).chain(existing -> {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            if (provider.name().equals(LocalProvider.NAME)) {
                return configureLocal(workspace, change, key, existing, now);
            }
            if (provider.settings().keyRequired()) {
                if (key == null) {
                    throw ProblemException.validation("apiKey", "is required for the " + provider.name() + " provider");
                }
                return provider.verifyKey(key)
                        .chain(() -> secrets.put(SecretNames.agentKey(workspace), key))
                        .chain(() -> gitToken(workspace, change.gitToken(), existing))
                        .chain(gitHint -> configs.save(new AgentConfig(workspace, provider.name(), change.enabled(),
                                change.model(), hint(key), now, now, null, gitHint)));
            }
            if (key != null) {
                throw ProblemException.validation("apiKey", "the " + provider.name() + " provider takes no API key");
            }
            // a workspace switching to a provider without a key keeps no key around
            return secrets.destroy(SecretNames.agentKey(workspace))
                    .chain(() -> gitToken(workspace, change.gitToken(), existing))
                    .chain(gitHint -> configs.save(new AgentConfig(workspace, provider.name(), change.enabled(),
                            change.model(), null, null, now, null, gitHint)));
        });
    }

    /** The local provider: an enabled preset (the first without a choice), and its key when the preset's CLI takes one. */
    private Uni<AgentConfig> configureLocal(String workspace, Change change, String key, Optional<AgentConfig> existing,
            Instant now) {
        AgentPreset preset;
        if (change.agent() == null || change.agent().isBlank()) {
            preset = existing.filter(c -> c.provider().equals(LocalProvider.NAME)).map(AgentConfig::agent)
                    .flatMap(localAgents::pick).orElse(localAgents.first());
        } else {
            // an id as the answer's agents list it, exactly (as provider is): "Custom" or "custom " is no preset
            preset = localAgents.pick(change.agent()).filter(picked -> picked.id().equals(change.agent()))
                    .orElseThrow(() -> ProblemException.validation("agent", "must be one of " + localAgents.names()));
        }
        if (key != null && !preset.cli()) {
            throw ProblemException.validation("apiKey", "the " + preset.id() + " agent takes no API key");
        }
        boolean sameAgent = existing.filter(c -> c.provider().equals(LocalProvider.NAME) && preset.id().equals(c.agent()))
                .isPresent();
        Uni<String> keyHint;
        if (key != null) {
            keyHint = secrets.put(SecretNames.agentKey(workspace), key).replaceWith(hint(key));
        } else if (change.apiKey() == null && sameAgent && preset.cli()) {
            keyHint = Uni.createFrom().item(existing.get().keyHint());
        } else {
            // another agent never gets the key given for the one before
            keyHint = secrets.destroy(SecretNames.agentKey(workspace)).replaceWith((String) null);
        }
        return keyHint.chain(hint -> gitToken(workspace, change.gitToken(), existing)
                .chain(gitHint -> configs.save(new AgentConfig(workspace, LocalProvider.NAME, change.enabled(),
                        change.model(), hint, null, now, preset.id(), gitHint))));
    }

    /** Stores, keeps or removes the workspace's git token; answers the hint to keep. */
    private Uni<String> gitToken(String workspace, String requested, Optional<AgentConfig> existing) {
        if (requested == null) {
            return Uni.createFrom().item(existing.map(AgentConfig::gitTokenHint).orElse(null));
        }
        if (requested.isBlank()) {
            return secrets.destroy(SecretNames.gitToken(workspace)).replaceWith((String) null);
        }
        String token = requested.strip();
        return secrets.put(SecretNames.gitToken(workspace), token).replaceWith(hint(token));
    }

    public Uni<Void> remove(String workspace) {
        return secrets.destroy(SecretNames.agentKey(workspace))
                .chain(() -> secrets.destroy(SecretNames.gitToken(workspace)))
                .chain(() -> configs.delete(workspace))
                .replaceWithVoid();
    }

    /** The stored key of a workspace, for launching a run; empty when none. */
    public Uni<Optional<String>> apiKey(String workspace) {
        return secrets.get(SecretNames.agentKey(workspace));
    }

    /** The workspace's own git token, for its local runs' clones, pushes and pull requests; empty when none. */
    public Uni<Optional<String>> gitToken(String workspace) {
        return secrets.get(SecretNames.gitToken(workspace));
    }

    /** {@code "...f3a9"}: enough to recognise a key, not enough to use it. */
    static String hint(String key) {
        return "..." + (key.length() <= 4 ? "" : key.substring(key.length() - 4));
    }
}
