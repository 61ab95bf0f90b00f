package dev.handoff.gateway.secrets;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when every stored secret can be decrypted with a configured key: with a wrong or missing key the gateway
 * would otherwise look ready while every call to a provider fails. The answer names the problem (key ids and
 * fingerprints, counts; never a key or a secret) and says how many secrets still wait to be re-wrapped with the current
 * key ({@code sealedWithOldKeys}: 0 means older keys can be removed).
 */
@Readiness
@ApplicationScoped
public class SecretStoreHealth implements AsyncHealthCheck {

    private static final String NAME = "secret-store";

    private final SecretStores stores;
    private final Instance<DatabaseSecretStore> database;

    public SecretStoreHealth(SecretStores stores, Instance<DatabaseSecretStore> database) {
        this.stores = stores;
        this.database = database;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (!stores.databaseStore()) {
            return Uni.createFrom().item(HealthCheckResponse.named(NAME).up().withData("store", SecretStores.VAULT).build());
        }
        return database.get().check()
                .map(check -> {
                    var response = HealthCheckResponse.named(NAME).status(check.ok()).withData("store", SecretStores.DATABASE)
                            .withData("secrets", check.secrets()).withData("sealedWithOldKeys", check.sealedWithOldKeys())
                            .withData("keys", String.join(",", database.get().keyIds()));
                    if (!check.ok()) {
                        response.withData("problem", String.join("; ", check.problems()));
                    }
                    return response.build();
                })
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(NAME).down()
                        .withData("problem", "the secret store cannot be checked: " + failure.getClass().getSimpleName()).build());
    }
}
