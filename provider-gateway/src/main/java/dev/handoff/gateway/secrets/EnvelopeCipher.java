package dev.handoff.gateway.secrets;

import dev.handoff.crypto.AesGcm;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM envelope encryption: every secret gets a fresh random data key; the data key is encrypted ("wrapped")
 * with the key-encryption key. The secret's name is authenticated data of both, so a row copied under another name
 * does not decrypt.
 */
public final class EnvelopeCipher {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec keyEncryptionKey;
    private final String keyId;

    public EnvelopeCipher(byte[] keyEncryptionKey) {
        if (keyEncryptionKey.length != 32) {
            throw new IllegalArgumentException("the key-encryption key must be 32 bytes");
        }
        this.keyEncryptionKey = AesGcm.key(keyEncryptionKey);
        this.keyId = AesGcm.fingerprint(keyEncryptionKey);
    }

    /** A short fingerprint of the key-encryption key (not the key): tells which key sealed a secret. */
    public String keyId() {
        return keyId;
    }

    public Sealed seal(String name, String plaintext) {
        byte[] dataKey = new byte[32];
        RANDOM.nextBytes(dataKey);
        try {
            byte[] ciphertext = AesGcm.seal(AesGcm.key(dataKey), name, plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] wrappedKey = AesGcm.seal(keyEncryptionKey, name, dataKey);
            return new Sealed(keyId, wrappedKey, ciphertext);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    public String open(String name, Sealed sealed) {
        if (!keyId.equals(sealed.keyId())) {
            throw new IllegalStateException("secret " + name + " was sealed with another HANDOFF_SECRETS_KEY");
        }
        byte[] dataKey = decrypt(keyEncryptionKey, name, sealed.wrappedKey());
        try {
            return new String(decrypt(AesGcm.key(dataKey), name, sealed.ciphertext()), StandardCharsets.UTF_8);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    private static byte[] decrypt(SecretKeySpec key, String name, byte[] blob) {
        try {
            return AesGcm.open(key, name, blob);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // deliberately without the cause's details: nothing about the key material leaves this class
            throw new IllegalStateException("secret " + name + " cannot be decrypted (tampered, or another key)");
        }
    }

    /** What is stored: which key-encryption key, the wrapped data key and the ciphertext (each nonce || data || tag). */
    public record Sealed(String keyId, byte[] wrappedKey, byte[] ciphertext) {
    }
}
