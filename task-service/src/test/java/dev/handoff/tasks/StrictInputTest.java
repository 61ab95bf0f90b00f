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

    @Test
    void aRequestTargetOver8KiBIsRefusedWithAProblemNotABareStatus() {
        given().auth().oauth2(token).when().get("/api/briefs/" + "x".repeat(10_000)).then()
                .statusCode(414).contentType("application/problem+json").body("code", equalTo("uri-too-long"));
        given().auth().oauth2(token).when().get("/api/briefs/" + "x".repeat(3_000)).then()
                .statusCode(404).contentType("application/problem+json");
    }

    @Test
    void aBodyOverTheLimitIsRefusedWithAProblemBeforeItIsRead() throws Exception {
        // the headers announce 5 MiB; the answer comes before any of it is sent, and the connection is closed
        try (java.net.Socket socket = new java.net.Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(10_000);
            String head = "POST /api/briefs HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (5 * 1024 * 1024) + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            org.hamcrest.MatcherAssert.assertThat(answer, org.hamcrest.Matchers.startsWith("HTTP/1.1 413"));
            org.hamcrest.MatcherAssert.assertThat(answer.toLowerCase(), containsString("content-type: application/problem+json"));
            org.hamcrest.MatcherAssert.assertThat(answer, containsString("\"code\":\"payload-too-large\""));
        }
    }

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL url;
}
