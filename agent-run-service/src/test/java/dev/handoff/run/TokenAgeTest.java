package dev.handoff.run;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** HANDOFF_JWT_MAX_AGE (default 24 h, shared config): a token issued longer ago is refused even before its exp. */
@QuarkusTest
class TokenAgeTest {

    @Test
    void aTokenIssued25HoursAgoIs401AndAFreshOneIs200() throws Exception {
        String ws = RunApi.workspace("age");
        Instant now = Instant.now();
        String old = signed(ws, now.minus(Duration.ofHours(25)), now.plus(Duration.ofHours(1)));
        given().header("Authorization", Tokens.bearer(old)).get("/api/runs").then().statusCode(401)
                .contentType("application/problem+json");

        String fresh = signed(ws, now.minusSeconds(5), now.plus(Duration.ofHours(1)));
        given().header("Authorization", Tokens.bearer(fresh)).get("/api/runs").then().statusCode(200)
                .body("size()", equalTo(0));
        // 23 hours old is still within the default 24 h
        String older = signed(ws, now.minus(Duration.ofHours(23)), now.plus(Duration.ofHours(1)));
        given().header("Authorization", Tokens.bearer(older)).get("/api/runs").then().statusCode(200);
    }

    /** A token like {@link Tokens#member} with the given iat and exp, signed with the same test key. */
    private static String signed(String workspace, Instant issuedAt, Instant expiresAt) throws Exception {
        PrivateKey key;
        try (InputStream in = TokenAgeTest.class.getClassLoader().getResourceAsStream("handoff-test-keys/privateKey.pem")) {
            key = KeyUtils.decodePrivateKey(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
        return Jwt.issuer(Tokens.ISSUER).subject("user-" + workspace).upn("user-" + workspace)
                .groups(Set.of("member")).claim("workspace", workspace)
                .issuedAt(issuedAt).expiresAt(expiresAt).sign(key);
    }
}
