package dev.handoff.e2e.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Signs tokens with the local stack's key ({@code <state>/jwt/privateKey.pem}, made by {@code ./handoff up}), exactly
 * as {@code ./handoff token} does, plus the broken ones a hostile client would send (no workspace, a bad workspace,
 * expired, another issuer, no groups).
 */
public final class Jwt {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrivateKey key;

    public Jwt(Path stateDir) {
        try {
            String pem = Files.readString(stateDir.resolve("jwt/privateKey.pem"))
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            this.key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the stack's signing key under " + stateDir, e);
        }
    }

    public String member(String workspace) {
        return sign(claims(workspace, "user-" + workspace, List.of("member")));
    }

    public String admin(String workspace) {
        return sign(claims(workspace, "admin-" + workspace, List.of("member", "admin")));
    }

    /** The usual claims, valid for an hour; callers may change or remove any before signing. */
    public static Map<String, Object> claims(String workspace, String subject, List<String> groups) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", "handoff");
        claims.put("sub", subject);
        claims.put("upn", subject);
        if (workspace != null) {
            claims.put("workspace", workspace);
        }
        claims.put("groups", groups);
        claims.put("iat", now);
        claims.put("exp", now + 3600);
        claims.put("jti", UUID.randomUUID().toString());
        return claims;
    }

    public String sign(Map<String, Object> claims) {
        try {
            String input = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + b64(JSON.writeValueAsString(claims));
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same claims with an {@code alg: none} header and no signature. */
    public static String unsigned(Map<String, Object> claims) {
        try {
            return b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(JSON.writeValueAsString(claims)) + ".";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
