package dev.handoff.gateway.secrets;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.handoff.testsupport.HandoffTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway started with a key that does not open the stored secrets (here: the secrets were sealed with the usual
 * test key, the gateway got another) is not ready, and says why, instead of looking ready while every provider call
 * fails.
 */
@QuarkusTest
@TestProfile(WrongSecretsKeyTest.WrongKey.class)
class WrongSecretsKeyTest {

    /** The key every other test of this module runs with (application.properties, %test). */
    static final String TEST_KEY = "ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE=";
    static final String WRONG_KEY = Base64.getEncoder().encodeToString("another-key-32-bytes-long-for-it".getBytes());

    public static class WrongKey implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("handoff.secrets.keys", "k-wrong:" + WRONG_KEY);
        }
    }

    @Test
    void aWrongKeyMakesReadinessDownNamingTheProblem() throws Exception {
        EnvelopeCipher.Sealed sealed = new EnvelopeCipher(Base64.getDecoder().decode(TEST_KEY))
                .seal("workspaces/acme/cursor-api-key", "key_sealed_with_the_right_key");
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement insert = db.prepareStatement(
                        "insert into secret (name, kek_id, wrapped_key, ciphertext, updated_at) values (?, ?, ?, ?, ?)")) {
            insert.setString(1, "workspaces/acme/cursor-api-key");
            insert.setString(2, sealed.keyId());
            insert.setBytes(3, sealed.wrappedKey());
            insert.setBytes(4, sealed.ciphertext());
            insert.setObject(5, OffsetDateTime.now());
            insert.executeUpdate();
        }

        given().when().get("/q/health/ready")
                .then().statusCode(503)
                .body("checks.find { it.name == 'secret-store' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'secret-store' }.data.problem",
                        containsString("1 stored secret(s) were sealed with a key that is not configured"))
                .body("checks.find { it.name == 'secret-store' }.data.problem", containsString("configured: k-wrong"))
                .body(not(containsString(WRONG_KEY)))
                .body(not(containsString(TEST_KEY)))
                .body(not(containsString("key_sealed_with_the_right_key")));
    }
}
