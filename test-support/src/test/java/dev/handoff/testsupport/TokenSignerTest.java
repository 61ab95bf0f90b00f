package dev.handoff.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tokens verify with the test public key and carry the contract's claims. */
class TokenSignerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anAdminTokenIsAnRs256JwtWithTheContractsClaims() throws Exception {
        String token = Tokens.admin("team-a");
        String[] parts = token.split("\\.");
        assertEquals(3, parts.length);
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        assertEquals("RS256", header.get("alg").asText());
        Signature verify = Signature.getInstance("SHA256withRSA");
        verify.initVerify(publicKey());
        verify.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(verify.verify(Base64.getUrlDecoder().decode(parts[2])), "signed with the test key");
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertEquals("handoff", claims.get("iss").asText());
        assertEquals("team-a", claims.get("workspace").asText());
        assertEquals(List.of("member", "admin"), JSON.convertValue(claims.get("groups"), List.class));
        assertEquals(3600, claims.get("exp").asLong() - claims.get("iat").asLong());
        assertTrue(claims.hasNonNull("jti") && claims.hasNonNull("sub") && claims.hasNonNull("upn"));
    }

    @Test
    void aTokenWithoutWorkspaceLeavesTheClaimOutAndUnsignedOnesSayAlgNone() throws Exception {
        String token = Tokens.token("someone", null, java.util.Set.of("member"));
        assertTrue(!JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1])).has("workspace"));
        String unsigned = TokenSigner.unsigned(TokenSigner.claims("w", "s", List.of("member")));
        assertTrue(unsigned.endsWith("."));
        assertEquals("none", JSON.readTree(Base64.getUrlDecoder().decode(unsigned.split("\\.")[0])).get("alg").asText());
    }

    private static PublicKey publicKey() throws Exception {
        try (InputStream in = TokenSignerTest.class.getClassLoader().getResourceAsStream(TokenSigner.TEST_PUBLIC_KEY)) {
            String pem = new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "")
                    .replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
        }
    }
}
