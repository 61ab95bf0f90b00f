package dev.handoff.run;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ServiceEndpointsTest {

    @Test
    void theServiceIsReadyWithItsDatabaseAndBroker() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void theOpenApiDocumentDescribesTheRunsApi() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/api/tasks/{taskId}/runs"))
                .body(containsString("/api/runs/{id}/cancel"))
                .body(containsString("/api/runs/{id}/retry"))
                .body(containsString("run-already-active"));
    }
}
