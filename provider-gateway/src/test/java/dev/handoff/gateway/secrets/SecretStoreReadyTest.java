package dev.handoff.gateway.secrets;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** With the right key the secret store's readiness check is up, and nothing waits to be re-wrapped. */
@QuarkusTest
class SecretStoreReadyTest {

    @Test
    void storedSecretsThatTheConfiguredKeyOpensKeepTheGatewayReady() {
        given().auth().oauth2(Tokens.admin("ws-ready-" + System.nanoTime() % 100000)).contentType(ContentType.JSON)
                .body("{\"provider\":\"cursor\",\"apiKey\":\"" + dev.handoff.testsupport.FakeCursorApi.VALID_KEY
                        + "\",\"enabled\":true}")
                .when().put("/api/agent-config").then().statusCode(200);
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.find { it.name == 'secret-store' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'secret-store' }.data.store", equalTo("database"))
                .body("checks.find { it.name == 'secret-store' }.data.sealedWithOldKeys", equalTo(0));
    }
}
