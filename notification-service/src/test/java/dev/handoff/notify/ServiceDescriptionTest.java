package dev.handoff.notify;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ServiceDescriptionTest {

    @Test
    void openApiDescribesTheEventStreamAndItsTokenParameter() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/events"))
                .body(containsString("text/event-stream"))
                .body(containsString("access_token"))
                .body(containsString("Last-Event-ID"))
                .body(containsString("run.pull-request-opened"));
    }

    @Test
    void readinessIncludesTheLiveEventFeed() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("UP"))
                .body("checks.name", hasItem("live-event-feed"));
    }
}
