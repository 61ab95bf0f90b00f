package dev.handoff.gateway.secrets;

import dev.handoff.gateway.GatewayConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

/** Chooses the secret store ({@code HANDOFF_SECRETS_STORE}) and checks at startup that it can work. */
@ApplicationScoped
public class SecretStores {

    public static final String DATABASE = "database";
    public static final String VAULT = "vault";

    private final GatewayConfig config;

    public SecretStores(GatewayConfig config) {
        this.config = config;
    }

    @Produces
    @ApplicationScoped
    SecretStore secretStore(Instance<DatabaseSecretStore> database, Instance<VaultSecretStore> vault) {
        return switch (storeName()) {
            case DATABASE -> database.get();
            case VAULT -> vault.get();
            default -> throw new IllegalStateException("HANDOFF_SECRETS_STORE must be 'database' or 'vault'");
        };
    }

    void checkAtStartup(@Observes StartupEvent startup, Instance<DatabaseSecretStore> database) {
        String store = storeName();
        if (DATABASE.equals(store)) {
            database.get().checkKey();
        } else if (!VAULT.equals(store)) {
            throw new IllegalStateException("HANDOFF_SECRETS_STORE must be 'database' or 'vault', not '" + store + "'");
        }
        Log.infof("secret store: %s", store);
    }

    private String storeName() {
        return config.secrets().store().trim().toLowerCase(java.util.Locale.ROOT);
    }
}
