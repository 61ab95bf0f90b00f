package dev.handoff.tasks;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** The shared strict reading of request bodies, seen through one service. */
@QuarkusTest
class StrictInputTest {

    private final String token = Tokens.member("strict-input");

    @Test
    void textWithANulCharacterIsRefusedNotStored() {
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"title\":\"a\\u0000b\"}")
                .when().post("/api/briefs").then()
                .statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("validation-failed"))
                .body("violations[0].field", equalTo("title"))
                .body("detail", containsString("NUL"));
    }

    @Test
    void contentAfterTheJsonDocumentIsRefused() {
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"title\":\"x\"}}")
                .when().post("/api/briefs").then()
                .statusCode(400).contentType("application/problem+json").body("code", equalTo("validation-failed"));
    }

    @Test
    void aNumberOrBooleanWhereTextBelongsIsAWrongType() {
        for (String value : new String[] {"123", "1.5", "true"}) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"title\":" + value + "}")
                    .when().post("/api/briefs").then()
                    .statusCode(400).contentType("application/problem+json")
                    .body("violations[0].field", equalTo("title"));
        }
    }

    @Test
    void aNulCharacterInAnImportedTaskIsRefusedAndNothingIsImported() {
        String briefId = given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"title\":\"import target\"}")
                .when().post("/api/briefs").then().statusCode(201).extract().path("id");
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"tasks\":[{\"id\":1,\"title\":\"fine\"},{\"id\":2,\"title\":\"a\\u0000b\"}]}")
                .when().post("/api/briefs/" + briefId + "/tasks/import").then()
                .statusCode(400).contentType("application/problem+json")
                .body("violations[0].field", equalTo("tasks[1].title"))
                .body("violations[0].message", containsString("NUL"));
        given().auth().oauth2(token).when().get("/api/briefs/" + briefId + "/tasks").then()
                .statusCode(200).body("size()", equalTo(0));
    }
}
