package dev.handoff.gateway.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM envelope encryption: every secret gets a fresh random data key; the data key is encrypted ("wrapped")
 * with the key-encryption key. The secret's name is authenticated data of both, so a row copied under another name
 * does not decrypt.
 */
public final class EnvelopeCipher {

    private static final String AES_GCM = "AES/GCM/NoPadding";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec keyEncryptionKey;
    private final String keyId;

    public EnvelopeCipher(byte[] keyEncryptionKey) {
        if (keyEncryptionKey.length != 32) {
            throw new IllegalArgumentException("the key-encryption key must be 32 bytes");
        }
        this.keyEncryptionKey = new SecretKeySpec(keyEncryptionKey, "AES");
        this.keyId = fingerprint(keyEncryptionKey);
    }

    /** A short fingerprint of the key-encryption key (not the key): tells which key sealed a secret. */
    public String keyId() {
        return keyId;
    }

    public Sealed seal(String name, String plaintext) {
        byte[] dataKey = new byte[32];
        RANDOM.nextBytes(dataKey);
        try {
            byte[] ciphertext = encrypt(new SecretKeySpec(dataKey, "AES"), name, plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] wrappedKey = encrypt(keyEncryptionKey, name, dataKey);
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
            return new String(decrypt(new SecretKeySpec(dataKey, "AES"), name, sealed.ciphertext()), StandardCharsets.UTF_8);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    private static byte[] encrypt(SecretKeySpec key, String name, byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance(AES_GCM);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    private static byte[] decrypt(SecretKeySpec key, String name, byte[] blob) {
        if (blob.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException("secret " + name + " is truncated");
        }
        try {
            Cipher cipher = Cipher.getInstance(AES_GCM);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, blob, 0, NONCE_BYTES));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(blob, NONCE_BYTES, blob.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            // deliberately without the cause's details: nothing about the key material leaves this class
            throw new IllegalStateException("secret " + name + " cannot be decrypted (tampered, or another key)");
        }
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

    /** What is stored: which key-encryption key, the wrapped data key and the ciphertext (each nonce || data || tag). */
    public record Sealed(String keyId, byte[] wrappedKey, byte[] ciphertext) {
    }
}
