package dev.handoff.gateway.secrets;

import io.smallrye.mutiny.Uni;
import java.util.Optional;

/**
 * Where API keys and webhook secrets live. Names are logical ({@link SecretNames}); the store decides where they go.
 * Implementations never log, return in an error or otherwise reveal a value.
 */
public interface SecretStore {

    Uni<Void> put(String name, String value);

    Uni<Optional<String>> get(String name);

    /** Destroys the secret and every version of it; destroying a missing secret is not an error. */
    Uni<Void> destroy(String name);
}
