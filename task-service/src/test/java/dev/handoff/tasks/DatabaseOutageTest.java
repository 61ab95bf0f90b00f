package dev.handoff.tasks;

import static dev.handoff.tasks.Api.as;
import static dev.handoff.tasks.Api.createBrief;
import static dev.handoff.tasks.Api.createTask;
import static dev.handoff.tasks.Api.newWorkspace;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.KafkaProbe;
import dev.handoff.testsupport.TcpProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes away under the running service (every connection reset, new ones refused) and comes back: requests
 * meanwhile are answered 503 and change nothing, and the run events that arrive meanwhile wait, are applied once the
 * database is back, and never reach the dead-letter topic.
 */
@QuarkusTest
@TestProfile(DatabaseOutageTest.ThroughProxy.class)
class DatabaseOutageTest {

    /** The outage lasts longer than any fixed retry budget would: a consumer must wait it out, not give up. */
    private static final Duration OUTAGE = Duration.ofSeconds(12);
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    public static class ThroughProxy implements QuarkusTestProfile, HandoffTestResource.DatabaseThroughProxy {
    }

    private final String ws = newWorkspace();

    @AfterEach
    void databaseBack() {
        HandoffTestResource.databaseProxy().restore();
    }

    @Test
    void requestsAre503WhileTheDatabaseIsAwayAndEventsArriveAfterItIsBack() throws InterruptedException {
        String briefId = createBrief(ws, "brief", "");
        String taskId = createTask(ws, briefId, Map.of("title", "task"));
        UUID runId = UUID.randomUUID();
        TcpProxy database = HandoffTestResource.databaseProxy();

        database.cut();
        as(ws).get("/api/briefs/{id}", briefId)
                .then().statusCode(503).contentType("application/problem+json").header("Retry-After", "5")
                .body("code", equalTo("service-unavailable"))
                .body("detail", not(containsString("127.0.0.1")));
        as(ws).contentType(ContentType.JSON).body(Map.of("title", "written during the outage", "content", ""))
                .post("/api/briefs")
                .then().statusCode(503).body("code", equalTo("service-unavailable"));
        given().get("/q/health/ready").then().statusCode(503);

        KafkaProbe.publish(Topics.RUN_STATUS_CHANGED, new RunStatusChanged(UUID.randomUUID(), Instant.now(), ws, runId,
                UUID.fromString(taskId), null, RunStatus.PENDING, 1, "launched", null));
        Thread.sleep(OUTAGE.toMillis());
        database.restore();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(
                as(ws).get("/api/tasks/{id}", taskId).then().statusCode(200).extract().path("agentRun.status"),
                equalTo("PENDING")));
        given().get("/q/health/ready").then().statusCode(200);
        assertThat(KafkaProbe.await(Topics.RUN_STATUS_CHANGED + Topics.DLQ_SUFFIX, KafkaProbe.ofRun(runId), 1,
                Duration.ofSeconds(3)), empty());
        assertThat(as(ws).get("/api/briefs").then().statusCode(200).extract().jsonPath().getList("title"),
                not(org.hamcrest.Matchers.hasItem("written during the outage")));
    }
}
