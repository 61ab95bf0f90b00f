package dev.handoff.gateway.service;

import dev.handoff.gateway.AgentConfig;
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
import java.util.Optional;

/**
 * A workspace's agent configuration: which provider, whether agents may run, and the provider's API key when it needs
 * one, which is checked with the provider, then kept in the secret store and shown only as its last four characters.
 */
@ApplicationScoped
public class AgentConfigService {

    private final AgentConfigRepository configs;
    private final SecretStore secrets;
    private final AgentProviders providers;

    public AgentConfigService(AgentConfigRepository configs, SecretStore secrets, AgentProviders providers) {
        this.configs = configs;
        this.secrets = secrets;
        this.providers = providers;
    }

    /** What an admin asks for; the key is only ever passed on to the provider check and the secret store. */
    public record Change(String provider, String apiKey, boolean enabled, String model) {

        @Override
        public String toString() {
            return "Change[provider=" + provider + ", enabled=" + enabled + ", model=" + model + "]";
        }
    }

    public Uni<Optional<AgentConfig>> find(String workspace) {
        return configs.find(workspace);
    }

    public Uni<AgentConfig> configure(String workspace, Change change) {
        AgentProvider provider = providers.named(change.provider())
                .orElseThrow(() -> ProblemException.validation("provider", providers.mustBeOneOf()));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String key = change.apiKey() == null || change.apiKey().isBlank() ? null : change.apiKey().strip();
        if (provider.settings().keyRequired()) {
            if (key == null) {
                throw ProblemException.validation("apiKey", "is required for the " + provider.name() + " provider");
            }
            return provider.verifyKey(key)
                    .chain(() -> secrets.put(SecretNames.agentKey(workspace), key))
                    .chain(() -> configs.save(new AgentConfig(workspace, provider.name(), change.enabled(), change.model(),
                            hint(key), now, now)));
        }
        if (key != null) {
            throw ProblemException.validation("apiKey", "the " + provider.name() + " provider takes no API key");
        }
        // a workspace switching to a provider without a key keeps no key around
        return secrets.destroy(SecretNames.agentKey(workspace))
                .chain(() -> configs.save(new AgentConfig(workspace, provider.name(), change.enabled(), change.model(),
                        null, null, now)));
    }

    public Uni<Void> remove(String workspace) {
        return secrets.destroy(SecretNames.agentKey(workspace))
                .chain(() -> configs.delete(workspace))
                .replaceWithVoid();
    }

    /** The stored key of a workspace, for launching a run; empty when none. */
    public Uni<Optional<String>> apiKey(String workspace) {
        return secrets.get(SecretNames.agentKey(workspace));
    }

    /** {@code "...f3a9"}: enough to recognise a key, not enough to use it. */
    static String hint(String key) {
        return "..." + (key.length() <= 4 ? "" : key.substring(key.length() - 4));
    }
}
