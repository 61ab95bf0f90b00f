package dev.handoff.gateway.secrets;

import dev.handoff.gateway.GatewayConfig;
import dev.handoff.resilience.Causes;
import dev.handoff.resilience.Outage;
import dev.handoff.resilience.Unavailable;
import io.quarkus.vault.VaultKVSecretReactiveEngine;
import io.quarkus.vault.client.VaultClient;
import io.quarkus.vault.client.VaultClientException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Typed;
import java.util.Map;
import java.util.Optional;

/**
 * The production secret store: HashiCorp Vault's KV v2 engine through the quarkus-vault extension (token or
 * Kubernetes auth, {@code quarkus.vault.*}; the KV mount is {@code quarkus.vault.kv-secret-engine-mount-path}, set
 * from {@code HANDOFF_VAULT_KV_MOUNT}). A secret named {@code workspaces/acme/agent} lives at
 * {@code <mount>/data/handoff/workspaces/acme/agent} as {@code {"value": "..."}}.
 */
@ApplicationScoped
@Typed(VaultSecretStore.class)
public class VaultSecretStore implements SecretStore {

    static final String FIELD = "value";

    private final VaultKVSecretReactiveEngine kv;
    private final Instance<VaultClient> client;
    private final GatewayConfig config;

    public VaultSecretStore(VaultKVSecretReactiveEngine kv, Instance<VaultClient> client, GatewayConfig config) {
        this.kv = kv;
        this.client = client;
        this.config = config;
    }

    @Override
    public Uni<Void> put(String name, String value) {
        return kv.writeSecret(path(name), Map.of(FIELD, value))
                .onFailure(VaultSecretStore::unreachable).transform(VaultSecretStore::unavailable);
    }

    @Override
    public Uni<Optional<String>> get(String name) {
        return kv.readSecret(path(name))
                .map(data -> Optional.ofNullable(data.get(FIELD)))
                .onFailure(VaultSecretStore::notFound).recoverWithItem(Optional.empty())
                .onFailure(VaultSecretStore::unreachable).transform(VaultSecretStore::unavailable);
    }

    /** Deletes the metadata and with it every version: KV v2's "delete" alone would keep old versions restorable. */
    @Override
    public Uni<Void> destroy(String name) {
        return Uni.createFrom().completionStage(() -> client.get().secrets().kv2(mount()).deleteSecretMetadata(path(name)))
                .onFailure(VaultSecretStore::notFound).recoverWithNull()
                .onFailure(VaultSecretStore::unreachable).transform(VaultSecretStore::unavailable)
                .replaceWithVoid();
    }

    private String mount() {
        return config.vault().kvMount();
    }

    private String path(String name) {
        return config.vault().pathPrefix() + "/" + name;
    }

    /** Vault down, sealed (503), behind a failing proxy (502, 504) or not reachable at all: try again later. */
    private static boolean unreachable(Throwable failure) {
        return Causes.any(failure, t -> t instanceof VaultClientException e && e.getStatus() != null && e.getStatus() >= 500)
                || Outage.is(failure);
    }

    private static Unavailable unavailable(Throwable failure) {
        return new Unavailable("the secret store", failure);
    }

    private static boolean notFound(Throwable failure) {
        // a 404 of the KV engine itself, not of a token renewal or login on the way
        return Causes.any(failure, t -> t instanceof VaultClientException e && e.getStatus() != null && e.getStatus() == 404
                && e.getRequestPath() != null && (e.getRequestPath().contains("/data/") || e.getRequestPath().contains("/metadata/")));
    }
}
