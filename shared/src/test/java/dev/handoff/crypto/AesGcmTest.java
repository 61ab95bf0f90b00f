package dev.handoff.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The AES-256-GCM sealing both the gateway's secret store and notification-service's webhook secrets use. */
class AesGcmTest {

    private final SecretKeySpec key = AesGcm.key(new byte[32]);

    @Test
    void aSealedValueOpensOnlyWithItsKeyAndItsAssociatedData() throws Exception {
        byte[] plain = "sk-the-value".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = AesGcm.seal(key, "workspaces/acme/agent", plain);

        assertEquals(AesGcm.NONCE_BYTES + plain.length + AesGcm.TAG_BITS / 8, sealed.length);
        assertArrayEquals(plain, AesGcm.open(key, "workspaces/acme/agent", sealed));
        assertFalse(Arrays.equals(sealed, AesGcm.seal(key, "workspaces/acme/agent", plain)), "a fresh nonce each time");

        byte[] other = new byte[32];
        other[0] = 1;
        assertThrows(GeneralSecurityException.class, () -> AesGcm.open(AesGcm.key(other), "workspaces/acme/agent", sealed));
        assertThrows(GeneralSecurityException.class, () -> AesGcm.open(key, "workspaces/other/agent", sealed));
        byte[] tampered = sealed.clone();
        tampered[tampered.length - 1] ^= 1;
        assertThrows(GeneralSecurityException.class, () -> AesGcm.open(key, "workspaces/acme/agent", tampered));
        assertThrows(GeneralSecurityException.class, () -> AesGcm.open(key, "workspaces/acme/agent", new byte[10]));
        assertThrows(IllegalArgumentException.class, () -> AesGcm.key(new byte[16]));
    }

    @Test
    void theFingerprintIsTheOneStoredRowsAlreadyCarry() {
        // stored kek ids (gateway) and secret_key_ids (webhooks) were made with this fingerprint: it must not change
        byte[] devKey = Base64.getDecoder().decode("ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE=");
        assertEquals("96e32c46e652c0ff", AesGcm.fingerprint(devKey));
    }
}
