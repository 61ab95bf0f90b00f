package dev.handoff.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Tokens the bench stack accepts, signed in-process with the stack's key (the claims deploy/local/Token.java puts in
 * a token), for diagnoses that need many workspaces without starting a JVM per token.
 */
final class Tokens {

    private final PrivateKey key;

    Tokens(Path state) {
        try {
            String pem = Files.readString(state.resolve("jwt/privateKey.pem")).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            this.key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the bench stack's token key", e);
        }
    }

    String admin(String workspace) {
        long now = Instant.now().getEpochSecond();
        String claims = "{\"iss\":\"handoff\",\"sub\":\"bench\",\"upn\":\"bench\",\"workspace\":\"" + workspace
                + "\",\"groups\":[\"member\",\"admin\"],\"iat\":" + now + ",\"exp\":" + (now + 86_400) + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
        String input = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + b64(claims);
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
