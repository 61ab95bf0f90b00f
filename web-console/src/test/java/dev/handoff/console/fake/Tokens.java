package dev.handoff.console.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Tokens shaped like the local stack's ({@code ./handoff token}): RS256 header, the contract's claims. The fakes read
 * the claims without checking the signature; the console never verifies tokens itself (the services do).
 */
public final class Tokens {

    public static String member(String workspace) {
        return token(workspace, false, 3600);
    }

    public static String admin(String workspace) {
        return token(workspace, true, 3600);
    }

    public static String token(String workspace, boolean admin, long ttlSeconds) {
        long now = Instant.now().getEpochSecond();
        JsonObject claims = new JsonObject().put("iss", "handoff").put("sub", admin ? "ada" : "max").put("workspace", workspace)
                .put("groups", admin ? new JsonArray().add("member").add("admin") : new JsonArray().add("member"))
                .put("iat", now).put("exp", now + ttlSeconds).put("jti", UUID.randomUUID().toString());
        return b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + b64(claims.encode()) + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The claims of a token, or null when it is not one. */
    public static JsonObject claims(String token) {
        if (token == null) {
            return null;
        }
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private Tokens() {
    }
}
