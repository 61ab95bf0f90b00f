package dev.handoff.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

/** A verified token is remembered only while it is acceptable; failures and tokens without exp never are. */
class VerifiedTokensTest {

    private static final long T0 = 1_800_000_000L;

    /** smallrye-jwt's parser, whose verification is stood in for: counts the verifications, knows tokens by text. */
    private static final class Verifier extends DefaultJWTParser {
        final Map<String, JsonWebToken> valid = new HashMap<>();
        int verifications;

        @Override
        public JsonWebToken parse(String token) throws ParseException {
            verifications++;
            JsonWebToken jwt = valid.get(token);
            if (jwt == null) {
                throw new ParseException("bad signature");
            }
            return jwt;
        }
    }

    private static JsonWebToken jwt(Long iat, Long exp) {
        Map<String, Object> claims = new HashMap<>();
        if (iat != null) {
            claims.put("iat", iat);
        }
        if (exp != null) {
            claims.put("exp", exp);
        }
        return new JsonWebToken() {
            @Override
            public String getName() {
                return "someone";
            }

            @Override
            public Set<String> getClaimNames() {
                return claims.keySet();
            }

            @SuppressWarnings("unchecked")
            @Override
            public <T> T getClaim(String name) {
                return (T) claims.get(name);
            }
        };
    }

    private final AtomicLong now = new AtomicLong(T0);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(now.get());
        }
    };

    @Test
    void aTokenIsVerifiedOnceWhileItIsValid() throws Exception {
        Verifier verifier = new Verifier();
        JsonWebToken token = jwt(T0 - 10, T0 + 300);
        verifier.valid.put("good", token);
        VerifiedTokens tokens = new VerifiedTokens(verifier, clock, 86400);
        for (int i = 0; i < 5; i++) {
            assertSame(token, tokens.parse("good"));
            now.addAndGet(10);
        }
        assertEquals(1, verifier.verifications);
        assertEquals(1, tokens.size());
    }

    @Test
    void anExpiredTokenIsVerifiedAgainAndRefusedAsBefore() throws Exception {
        Verifier verifier = new Verifier();
        verifier.valid.put("good", jwt(T0, T0 + 60));
        VerifiedTokens tokens = new VerifiedTokens(verifier, clock, 86400);
        tokens.parse("good");
        now.set(T0 + 60); // its exp: no longer acceptable without asking smallrye-jwt again
        verifier.valid.remove("good"); // which now refuses it (expired)
        assertThrows(ParseException.class, () -> tokens.parse("good"));
        assertEquals(2, verifier.verifications);
        assertEquals(0, tokens.size());
    }

    @Test
    void aTokenOlderThanTheMaximumAgeIsVerifiedAgain() throws Exception {
        Verifier verifier = new Verifier();
        verifier.valid.put("old", jwt(T0 - 3590, T0 + 86400));
        VerifiedTokens tokens = new VerifiedTokens(verifier, clock, 3600);
        tokens.parse("old");
        tokens.parse("old");
        assertEquals(1, verifier.verifications);
        now.set(T0 + 10); // iat + 3600 is past, though exp is a day away
        tokens.parse("old");
        assertEquals(2, verifier.verifications);
    }

    @Test
    void failuresAndTokensWithoutExpiryAreNeverRemembered() throws Exception {
        Verifier verifier = new Verifier();
        verifier.valid.put("no-exp", jwt(T0, null));
        verifier.valid.put("no-iat", jwt(null, T0 + 600));
        VerifiedTokens tokens = new VerifiedTokens(verifier, clock, 86400);
        for (int i = 0; i < 3; i++) {
            assertThrows(ParseException.class, () -> tokens.parse("forged"));
            tokens.parse("no-exp");
            tokens.parse("no-iat"); // a maximum age is set, so a token must say when it was issued to be remembered
        }
        assertEquals(9, verifier.verifications);
        assertEquals(0, tokens.size());
        VerifiedTokens noMaxAge = new VerifiedTokens(verifier, clock, 0);
        noMaxAge.parse("no-iat");
        noMaxAge.parse("no-iat");
        assertEquals(10, verifier.verifications);
    }

    @Test
    void theCacheIsBounded() throws Exception {
        Verifier verifier = new Verifier();
        VerifiedTokens tokens = new VerifiedTokens(verifier, clock, 86400);
        for (int i = 0; i < VerifiedTokens.MAX_TOKENS * 2; i++) {
            verifier.valid.put("t" + i, jwt(T0, T0 + 600));
            tokens.parse("t" + i);
        }
        assertEquals(VerifiedTokens.MAX_TOKENS, tokens.size());
    }
}
