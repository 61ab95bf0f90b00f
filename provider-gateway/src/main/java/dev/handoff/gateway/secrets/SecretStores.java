package dev.handoff.gateway.secrets;

import dev.handoff.gateway.GatewayConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
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
    private final Instance<DatabaseSecretStore> database;

    public SecretStores(GatewayConfig config, Instance<DatabaseSecretStore> database) {
        this.config = config;
        this.database = database;
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

    void checkAtStartup(@Observes StartupEvent startup) {
        String store = storeName();
        if (DATABASE.equals(store)) {
            database.get().checkKey();
            Log.infof("secret store: database, keys %s (the first seals)", database.get().keyIds());
            rewrap(database.get()).subscribe().with(done -> { }, failure -> { });
            return;
        } else if (!VAULT.equals(store)) {
            throw new IllegalStateException("HANDOFF_SECRETS_STORE must be 'database' or 'vault', not '" + store + "'");
        }
        Log.infof("secret store: %s", store);
    }

    /**
     * Moves secrets sealed with an older key to the current one, at startup and then now and again (a replica still
     * on the old configuration during a rolling update may seal with the old key meanwhile).
     */
    @Scheduled(every = "10m", delayed = "10m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> rewrapNowAndAgain() {
        return DATABASE.equals(storeName()) ? rewrap(database.get()).replaceWithVoid() : Uni.createFrom().voidItem();
    }

    private static Uni<DatabaseSecretStore.Rewrapped> rewrap(DatabaseSecretStore store) {
        return store.rewrap()
                .invoke(done -> {
                    if (done.rewrapped() > 0 || done.unreadable() > 0) {
                        Log.infof("secret store: %d secret(s) re-wrapped with the current key, %d could not be opened",
                                done.rewrapped(), done.unreadable());
                    }
                })
                .onFailure().invoke(failure -> Log.warnf("secret store: re-wrapping with the current key failed: %s",
                        failure.toString()));
    }

    /** Whether the database store is the one in use. */
    public boolean databaseStore() {
        return DATABASE.equals(storeName());
    }

    private String storeName() {
        return config.secrets().store().trim().toLowerCase(java.util.Locale.ROOT);
    }
}
