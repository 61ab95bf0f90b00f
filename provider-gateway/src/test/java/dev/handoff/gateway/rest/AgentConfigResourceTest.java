package dev.handoff.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.handoff.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AgentConfigResourceTest {

    private final String workspace = "ws-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void anAdminConfiguresTheLocalProviderAndMembersReadIt() {
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body("{\"provider\":\"local\",\"enabled\":true}")
                .when().put("/api/agent-config")
                .then().statusCode(200)
                .body("provider", equalTo("local"))
                .body("enabled", equalTo(true))
                .body("keyHint", nullValue())
                .body("updatedAt", notNullValue());

        given().auth().oauth2(Tokens.member(workspace))
                .when().get("/api/agent-config")
                .then().statusCode(200)
                .body("provider", equalTo("local"))
                .body("enabled", equalTo(true))
                .body("model", nullValue())
                .body("verifiedAt", nullValue());
    }

    @Test
    void theGatewayListsTheProvidersItHasAndWhatEachNeeds() {
        given().auth().oauth2(Tokens.member(workspace))
                .when().get("/api/agent-config/providers")
                .then().statusCode(200)
                .body("name", contains("cursor", "local"))
                .body("find { it.name == 'cursor' }.keyRequired", equalTo(true))
                .body("find { it.name == 'cursor' }.fileRepositories", equalTo(false))
                .body("find { it.name == 'local' }.keyRequired", equalTo(false))
                .body("find { it.name == 'local' }.fileRepositories", equalTo(true));
        given().when().get("/api/agent-config/providers").then().statusCode(401);
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body("{\"provider\":\"local\",\"enabled\":true}")
                .when().put("/api/agent-config").then().statusCode(200).body("providers.name", contains("cursor", "local"));
        given().auth().oauth2(Tokens.member(workspace)).when().get("/api/agent-config")
                .then().statusCode(200).body("providers.name", contains("cursor", "local"))
                .body("providers.find { it.name == 'local' }.fileRepositories", equalTo(true));
    }

    @Test
    void aWorkspaceWithoutConfigurationIsAnswered404() {
        given().auth().oauth2(Tokens.member(workspace))
                .when().get("/api/agent-config")
                .then().statusCode(404).contentType("application/problem+json").body("code", equalTo("not-found"));
    }

    @Test
    void aMemberMayNotWriteTheConfiguration() {
        given().auth().oauth2(Tokens.member(workspace)).contentType(ContentType.JSON)
                .body("{\"provider\":\"local\",\"enabled\":true}")
                .when().put("/api/agent-config")
                .then().statusCode(403).body("code", equalTo("forbidden"));
        given().auth().oauth2(Tokens.member(workspace))
                .when().delete("/api/agent-config")
                .then().statusCode(403).body("code", equalTo("forbidden"));
    }

    @Test
    void theApiIsDescribedAndTheServiceReportsItsHealth() {
        given().when().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/agent-config'.put.summary", notNullValue())
                .body("paths.'/api/pull-requests/{id}'.get.summary", notNullValue())
                .body("paths.'/webhooks/cursor/{runId}'.post.summary", notNullValue());
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void withoutATokenTheAnswerIs401() {
        given().when().get("/api/agent-config").then().statusCode(401).body("code", equalTo("unauthorized"));
    }

    @Test
    void anotherWorkspacesConfigurationIsNotVisible() {
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body("{\"provider\":\"local\",\"enabled\":false}")
                .when().put("/api/agent-config").then().statusCode(200);
        given().auth().oauth2(Tokens.member("other-" + workspace))
                .when().get("/api/agent-config").then().statusCode(404);
    }

    @Test
    void badBodiesAreValidationFailures() {
        String admin = Tokens.admin(workspace);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body("{\"provider\":\"copilot\",\"enabled\":true}")
                .when().put("/api/agent-config").then().statusCode(400).body("code", equalTo("validation-failed"))
                .body("violations[0].field", equalTo("provider"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body("{\"provider\":\"local\"}")
                .when().put("/api/agent-config").then().statusCode(400).body("violations[0].field", equalTo("enabled"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body("{\"provider\":\"cursor\",\"enabled\":true}")
                .when().put("/api/agent-config").then().statusCode(400).body("violations[0].field", equalTo("apiKey"));
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body("{\"provider\":\"local\",\"enabled\":true,\"apiKey\":\"sk-abc\"}")
                .when().put("/api/agent-config").then().statusCode(400).body("violations[0].field", equalTo("apiKey"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body("{\"provider\":\"local\",\"enabled\":\"yes\"}")
                .when().put("/api/agent-config").then().statusCode(400).body("code", equalTo("validation-failed"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body("{not json")
                .when().put("/api/agent-config").then().statusCode(400).body("code", equalTo("validation-failed"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body("{\"provider\":\"local\",\"enabled\":true,\"x\":1}")
                .when().put("/api/agent-config").then().statusCode(400).body("code", equalTo("validation-failed"));
    }

    @Test
    void deletingRemovesTheConfigurationAndIsIdempotent() {
        String admin = Tokens.admin(workspace);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body("{\"provider\":\"local\",\"enabled\":true}")
                .when().put("/api/agent-config").then().statusCode(200);
        given().auth().oauth2(admin).when().delete("/api/agent-config").then().statusCode(204);
        given().auth().oauth2(admin).when().get("/api/agent-config").then().statusCode(404);
        given().auth().oauth2(admin).when().delete("/api/agent-config").then().statusCode(204);
    }
}
