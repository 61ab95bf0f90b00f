package dev.handoff.testsupport;

import java.util.Set;

/** Shorthands for the service tests: tokens signed with the test key pair ({@link TokenSigner#testKey()}). */
public final class Tokens {

    public static final String ISSUER = TokenSigner.ISSUER;
    public static final String PUBLIC_KEY_LOCATION = TokenSigner.TEST_PUBLIC_KEY;

    public static String member(String workspace) {
        return TokenSigner.testKey().member(workspace);
    }

    public static String admin(String workspace) {
        return TokenSigner.testKey().admin(workspace);
    }

    public static String token(String subject, String workspace, Set<String> groups) {
        return TokenSigner.testKey().token(subject, workspace, groups);
    }

    public static String bearer(String token) {
        return TokenSigner.bearer(token);
    }

    private Tokens() {
    }
}
