package dev.handoff.gateway.secrets;

import java.util.Base64;
import java.util.Optional;

/** Reads the key-encryption key from {@code HANDOFF_SECRETS_KEY}, and refuses to go on without one in production. */
public final class SecretsKey {

    public static byte[] resolve(Optional<String> configured, boolean production) {
        String value = configured.map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        if (value == null) {
            throw new IllegalStateException(production
                    ? "HANDOFF_SECRETS_KEY is not set: the database secret store needs a key-encryption key in production"
                            + " (base64 of 32 random bytes, e.g. `head -c 32 /dev/urandom | base64`),"
                            + " or set HANDOFF_SECRETS_STORE=vault"
                    : "HANDOFF_SECRETS_KEY is not set");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("HANDOFF_SECRETS_KEY is not valid base64");
        }
        if (key.length != 32) {
            throw new IllegalStateException("HANDOFF_SECRETS_KEY must be the base64 of exactly 32 bytes, not " + key.length);
        }
        return key;
    }

    private SecretsKey() {
    }
}
