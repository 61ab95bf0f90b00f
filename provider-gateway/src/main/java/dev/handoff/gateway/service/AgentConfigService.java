package dev.handoff.gateway.service;

import dev.handoff.gateway.AgentConfig;
import dev.handoff.gateway.Providers;
import dev.handoff.gateway.cursor.CursorApi;
import dev.handoff.gateway.repository.AgentConfigRepository;
import dev.handoff.gateway.secrets.SecretNames;
import dev.handoff.gateway.secrets.SecretStore;
import dev.handoff.web.ProblemException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * A workspace's agent configuration: which provider, whether agents may run, and the provider's API key, which is
 * checked with the provider, then kept in the secret store and shown only as its last four characters.
 */
@ApplicationScoped
public class AgentConfigService {

    private final AgentConfigRepository configs;
    private final SecretStore secrets;
    private final CursorApi cursor;

    public AgentConfigService(AgentConfigRepository configs, SecretStore secrets, CursorApi cursor) {
        this.configs = configs;
        this.secrets = secrets;
        this.cursor = cursor;
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
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String key = change.apiKey() == null || change.apiKey().isBlank() ? null : change.apiKey().strip();
        if (Providers.CURSOR.equals(change.provider())) {
            if (key == null) {
                throw ProblemException.validation("apiKey", "is required for the cursor provider");
            }
            return verifyWithCursor(key)
                    .chain(() -> secrets.put(SecretNames.agentKey(workspace), key))
                    .chain(() -> configs.save(new AgentConfig(workspace, change.provider(), change.enabled(), change.model(),
                            hint(key), now, now)));
        }
        if (key != null) {
            throw ProblemException.validation("apiKey", "the local provider takes no API key");
        }
        // a workspace switching to the local provider keeps no provider key around
        return secrets.destroy(SecretNames.agentKey(workspace))
                .chain(() -> configs.save(new AgentConfig(workspace, change.provider(), change.enabled(), change.model(),
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

    private Uni<Void> verifyWithCursor(String key) {
        return cursor.me(key)
                .onFailure().transform(failure -> {
                    Log.warnf("Cursor could not be reached to check an API key: %s", failure.getClass().getSimpleName());
                    return providerUnavailable();
                })
                .invoke(answer -> {
                    if (answer.keyRejected()) {
                        throw ProblemException.unprocessable("provider-rejected-key",
                                "Cursor refused the API key (HTTP " + answer.status() + "); create a new key in the Cursor dashboard");
                    }
                    if (!answer.ok()) {
                        Log.warnf("Cursor answered HTTP %d to GET /v0/me", answer.status());
                        throw providerUnavailable();
                    }
                })
                .replaceWithVoid();
    }

    private static ProblemException providerUnavailable() {
        return new ProblemException(503, "provider-unavailable", "Provider unavailable",
                "Cursor could not check the API key right now; try again later");
    }

    /** {@code "...f3a9"}: enough to recognise a key, not enough to use it. */
    static String hint(String key) {
        return "..." + (key.length() <= 4 ? "" : key.substring(key.length() - 4));
    }
}
