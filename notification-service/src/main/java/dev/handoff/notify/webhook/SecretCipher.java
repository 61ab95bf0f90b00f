package dev.handoff.notify.webhook;

import dev.handoff.crypto.AesGcm;
import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals webhook signing secrets at rest with AES-256-GCM ({@link AesGcm}, shared with the gateway's secret store; the
 * webhook id is authenticated data, so a secret copied to another row does not open). Without a configured key the secret is stored as it is: the service still works where
 * no key is provisioned, and says so once at startup.
 */
@ApplicationScoped
public class SecretCipher {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String keyId;

    public SecretCipher(WebhookConfig config) {
        byte[] raw = decode(config.secretsKey());
        if (raw == null) {
            key = null;
            keyId = null;
            if (LaunchMode.current() == LaunchMode.NORMAL) {
                Log.warn("neither HANDOFF_WEBHOOK_SECRETS_KEY nor HANDOFF_SECRETS_KEY is set: webhook signing secrets"
                        + " are stored unencrypted");
            }
        } else {
            key = AesGcm.key(raw);
            keyId = AesGcm.fingerprint(raw);
        }
    }

    /** A new signing secret: 32 random bytes, hex (64 characters). */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Which key seals new secrets; null when they are stored as they are. */
    public String keyId() {
        return keyId;
    }

    public byte[] seal(String webhookId, String secret) {
        byte[] plain = secret.getBytes(StandardCharsets.UTF_8);
        if (key == null) {
            return plain;
        }
        return AesGcm.seal(key, webhookId, plain);
    }

    /** The secret of a stored row; fails (without details on the key) when it was sealed with another key. */
    public String open(String webhookId, byte[] stored, String storedKeyId) {
        if (storedKeyId == null) {
            return new String(stored, StandardCharsets.UTF_8);
        }
        if (key == null || !storedKeyId.equals(keyId)) {
            throw new IllegalStateException("the secret of webhook " + webhookId + " was sealed with another key");
        }
        try {
            return new String(AesGcm.open(key, webhookId, stored), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the secret of webhook " + webhookId + " cannot be decrypted");
        }
    }

    private static byte[] decode(Optional<String> configured) {
        String value = configured.map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        if (value == null) {
            return null;
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("handoff.webhooks.secrets-key is not valid base64");
        }
        if (raw.length != 32) {
            throw new IllegalStateException("handoff.webhooks.secrets-key must be the base64 of exactly 32 bytes");
        }
        return raw;
    }
}
