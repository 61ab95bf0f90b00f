package dev.handoff.tasks;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.handoff.testsupport.Tokens;
import dev.handoff.web.VerifiedTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.auth.principal.JWTParser;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** The wiring every service shares: real database and broker behind readiness, open health and OpenAPI. */
@QuarkusTest
class FoundationTest {

    @Inject
    JWTParser tokens;

    /** Bearer tokens go through the service's remembering parser, and remembering one never lets a forgery in. */
    @Test
    void aRememberedTokenDoesNotLetAForgedOneIn() {
        Assertions.assertInstanceOf(VerifiedTokens.class, tokens, "the JWT parser the services authenticate with");
        String workspace = Api.newWorkspace();
        String token = Tokens.member(workspace);
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(token).get("/api/briefs").then().statusCode(200);
        }
        int dot = token.lastIndexOf('.');
        char c = token.charAt(dot + 10); // a character of the signature whose 6 bits all count
        String forged = token.substring(0, dot + 10) + (c == 'A' ? 'B' : 'A') + token.substring(dot + 11);
        given().auth().oauth2(forged).get("/api/briefs").then().statusCode(401);
        String otherSignature = token.substring(0, dot + 1) + Tokens.member("someone-else").substring(Tokens.member("someone-else").lastIndexOf('.') + 1);
        given().auth().oauth2(otherSignature).get("/api/briefs").then().statusCode(401);
        given().auth().oauth2(token).get("/api/briefs").then().statusCode(200);
    }

    @Test
    void readinessReportsTheRealDatabaseAndBroker() {
        given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Kafka connection health check"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"));
    }

    @Test
    void openApiAndLivenessNeedNoToken() {
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200).body(containsString("openapi"));
    }
}
