package dev.handoff.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM as Handoff seals secrets at rest (the gateway's secret store, notification-service's webhook secrets):
 * a fresh random 96-bit nonce per value, the blob is {@code nonce || ciphertext || tag}, and the caller's associated
 * data (a secret's name, a webhook's id) is authenticated, so a blob copied elsewhere does not open.
 */
public final class AesGcm {

    private static final String AES_GCM = "AES/GCM/NoPadding";
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AesGcm() {
    }

    /** A 256-bit AES key; anything but 32 bytes is refused. */
    public static SecretKeySpec key(byte[] raw) {
        if (raw.length != 32) {
            throw new IllegalArgumentException("an AES-256 key must be 32 bytes");
        }
        return new SecretKeySpec(raw, "AES");
    }

    public static byte[] seal(SecretKeySpec key, String associatedData, byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance(AES_GCM);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed");
        }
    }

    /**
     * The plaintext of a blob; {@link GeneralSecurityException} when it does not open (another key, other associated
     * data, tampered or truncated). Callers say what failed without the cause's details.
     */
    public static byte[] open(SecretKeySpec key, String associatedData, byte[] blob) throws GeneralSecurityException {
        if (blob.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new GeneralSecurityException("truncated");
        }
        Cipher cipher = Cipher.getInstance(AES_GCM);
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, blob, 0, NONCE_BYTES));
        cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
        return cipher.doFinal(blob, NONCE_BYTES, blob.length - NONCE_BYTES);
    }

    /** A short fingerprint of a key (8 bytes of a labelled SHA-256, hex), stored to tell which key sealed a value. */
    public static String fingerprint(byte[] key) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("handoff-kek-id:".getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha256.digest(key), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
