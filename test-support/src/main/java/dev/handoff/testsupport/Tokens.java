package dev.handoff.testsupport;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.util.Set;

/** Tokens signed with the test key pair, shaped as the contract says (iss, sub, workspace, groups). */
public final class Tokens {

    public static final String ISSUER = "handoff";
    public static final String PUBLIC_KEY_LOCATION = "handoff-test-keys/publicKey.pem";
    private static final PrivateKey KEY = loadKey();

    public static String member(String workspace) {
        return token("user-" + workspace, workspace, Set.of("member"));
    }

    public static String admin(String workspace) {
        return token("admin-" + workspace, workspace, Set.of("member", "admin"));
    }

    public static String token(String subject, String workspace, Set<String> groups) {
        var builder = Jwt.issuer(ISSUER).subject(subject).upn(subject).groups(groups).expiresIn(3600);
        if (workspace != null) {
            builder.claim("workspace", workspace);
        }
        return builder.sign(KEY);
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    private static PrivateKey loadKey() {
        try (InputStream in = Tokens.class.getClassLoader().getResourceAsStream("handoff-test-keys/privateKey.pem")) {
            return KeyUtils.decodePrivateKey(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("test signing key missing", e);
        }
    }

    private Tokens() {
    }
}
