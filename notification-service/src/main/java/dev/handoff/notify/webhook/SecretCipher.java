package dev.handoff.notify.webhook;

import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals webhook signing secrets at rest with AES-256-GCM (the webhook id is authenticated data, so a secret copied to
 * another row does not open). Without a configured key the secret is stored as it is: the service still works where
 * no key is provisioned, and says so once at startup.
 */
@ApplicationScoped
public class SecretCipher {

    private static final String AES_GCM = "AES/GCM/NoPadding";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
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
            key = new SecretKeySpec(raw, "AES");
            keyId = fingerprint(raw);
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
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance(AES_GCM);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(webhookId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed");
        }
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
            Cipher cipher = Cipher.getInstance(AES_GCM);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 0, NONCE_BYTES));
            cipher.updateAAD(webhookId.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES), StandardCharsets.UTF_8);
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

    private static String fingerprint(byte[] key) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("handoff-kek-id:".getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha256.digest(key), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
