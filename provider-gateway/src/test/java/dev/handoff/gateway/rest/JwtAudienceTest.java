package dev.handoff.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.testsupport.TokenSigner;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** With {@code HANDOFF_JWT_AUDIENCE} set, a token must name that audience in {@code aud}; any other token is 401. */
@QuarkusTest
@TestProfile(JwtAudienceTest.Audience.class)
class JwtAudienceTest {

    static final String AUDIENCE = "handoff-api-test";

    public static class Audience implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            // what HANDOFF_JWT_AUDIENCE sets (shared/src/main/resources/META-INF/microprofile-config.properties)
            return Map.of("mp.jwt.verify.audiences", AUDIENCE);
        }
    }

    private final TokenSigner signer = TokenSigner.testKey();
    private final String workspace = "ws-aud-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void aTokenWithoutTheAudienceOrWithAnotherIsRefusedAndTheRightOneIsAccepted() {
        String body = "{\"provider\":\"local\",\"enabled\":true}";

        Map<String, Object> without = TokenSigner.claims(workspace, "alice", List.of("admin"));
        given().auth().oauth2(signer.sign(without)).contentType(ContentType.JSON).body(body)
                .when().put("/api/agent-config").then().statusCode(401);

        Map<String, Object> other = TokenSigner.claims(workspace, "alice", List.of("admin"));
        other.put("aud", "some-other-api");
        given().auth().oauth2(signer.sign(other)).when().get("/api/agent-config").then().statusCode(401);
        given().auth().oauth2(signer.sign(other)).contentType(ContentType.JSON).body(body)
                .when().put("/api/agent-config").then().statusCode(401);

        Map<String, Object> right = TokenSigner.claims(workspace, "alice", List.of("admin"));
        right.put("aud", AUDIENCE);
        given().auth().oauth2(signer.sign(right)).contentType(ContentType.JSON).body(body)
                .when().put("/api/agent-config").then().statusCode(200).body("provider", equalTo("local"));
        Map<String, Object> among = TokenSigner.claims(workspace, "alice", List.of("member"));
        among.put("aud", List.of("some-other-api", AUDIENCE));
        given().auth().oauth2(signer.sign(among)).when().get("/api/agent-config")
                .then().statusCode(200).body("provider", equalTo("local"));
    }
}
