package dev.handoff.tasks;

import static dev.handoff.tasks.Api.as;
import static dev.handoff.tasks.Api.createBrief;
import static dev.handoff.tasks.Api.newWorkspace;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TaskMasterImportTest {

    private static String file(String name) {
        try (InputStream in = TaskMasterImportTest.class.getResourceAsStream("/taskmaster/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void realisticTaggedFileImportsEveryTaskOfTheMasterTagInFileOrder() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "Checkout revamp", "# Checkout revamp");

        var response = as(ws).body(file("tasks.json")).post("/api/briefs/{id}/tasks/import", briefId).then()
                .statusCode(201)
                .body("imported", equalTo(12))
                .body("tasks", hasSize(12))
                .body("tasks[0].title", equalTo("Set up the checkout service skeleton"))
                .body("tasks[11].title", equalTo("Rollout behind a feature flag"))
                .extract();
        assertThat(response.header("Location"), endsWith("/api/briefs/" + briefId + "/tasks"));

        List<String> importedIds = response.path("tasks.id");
        JsonPath listed = as(ws).get("/api/briefs/{id}/tasks", briefId).then().statusCode(200).extract().jsonPath();
        assertThat(listed.getList("id"), equalTo(importedIds));
        assertThat(listed.getList("title"), contains("Set up the checkout service skeleton",
                "Model carts and cart lines", "Cart REST API", "Price calculation", "Discount codes",
                "Checkout and order creation", "Payment provider integration", "Order confirmation email",
                "Abandoned cart reminders", "Checkout metrics and tracing", "Load test the checkout",
                "Rollout behind a feature flag"));
        assertThat(listed.getList("findAll { it.title == 'Evaluate a second payment provider' }"), empty());
    }

    @Test
    void taskMasterFieldsMapOntoTheTask() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "Checkout revamp", "");
        JsonPath tasks = as(ws).body(file("tasks.json")).post("/api/briefs/{id}/tasks/import", briefId).then()
                .statusCode(201).extract().jsonPath();

        // description, then details, then the Task Master id, priority, status and dependencies as plain text
        String first = tasks.getString("tasks[0].description");
        assertThat(first, startsWith("Create the Quarkus service that will own carts and orders.\n\n## Details\n\n"
                + "Generate the project with the REST"));
        assertThat(first, endsWith("\n\nTask Master: id 1; priority: high; status: done; dependencies: none"));
        assertThat(tasks.getString("tasks[5].description"),
                endsWith("Task Master: id 6; priority: high; status: pending; dependencies: 3, 4"));

        // testStrategy: bullets, numbered items, lines and sentences each become criteria
        assertThat(tasks.getList("tasks[0].acceptanceCriteria"), contains(
                "The service starts locally with `./mvnw quarkus:dev`",
                "`/q/health/ready` answers 200 when PostgreSQL is up",
                "CI builds the image on every push"));
        assertThat(tasks.getList("tasks[2].acceptanceCriteria"), contains(
                "GET /cart returns an empty cart for a new user", "POST /cart/lines adds a line and returns 201",
                "PATCH changes the quantity", "DELETE removes the line", "Another user's cart is never visible"));
        assertThat(tasks.getList("tasks[3].acceptanceCriteria"), contains("Table-driven tests for rounding.",
                "Taxes for DE, FR and US-CA match the reference spreadsheet.",
                "A cart with a 100% discount totals zero, never negative."));
        assertThat(tasks.getList("tasks[1].acceptanceCriteria"), contains(
                "Unit tests cover adding, removing and updating lines.",
                "A repository test creates a cart with three lines and reads it back in the same order.",
                "Negative quantities are rejected."));

        // subtasks in file order, with their details, test strategy, id and dependencies
        assertThat(tasks.getList("tasks[1].subtasks.title"), contains("Write the Flyway migration",
                "Create the entities", "Validate quantities and prices"));
        assertThat(tasks.getList("tasks[1].subtasks.position"), contains(0, 1, 2));
        String step = tasks.getString("tasks[1].subtasks[2].description");
        assertThat(step, startsWith("Bean validation on the API records.\n\n## Details\n\nReject zero"));
        assertThat(step, containsString("## Test strategy\n\nPost a line with quantity 0 and expect 400."));
        assertThat(step, endsWith("Task Master: subtask 2.3; status: pending; dependencies: 2.2"));
        assertThat(tasks.getList("tasks[7].subtasks"), empty());
        assertThat(tasks.getList("tasks[5].subtasks"), hasSize(4));
    }

    @Test
    void plainFileAndARequestedTagAreImported() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "b", "");
        as(ws).body(file("tasks-plain.json")).post("/api/briefs/{id}/tasks/import", briefId).then()
                .statusCode(201)
                .body("imported", equalTo(3))
                .body("tasks.title", contains("Set up the checkout service skeleton", "Model carts and cart lines",
                        "Cart REST API"));

        String other = createBrief(ws, "payments", "");
        as(ws).body(file("tasks.json")).queryParam("tag", "payments-v2")
                .post("/api/briefs/{id}/tasks/import", other).then()
                .statusCode(201)
                .body("imported", equalTo(1))
                .body("tasks[0].title", equalTo("Evaluate a second payment provider"))
                .body("tasks[0].acceptanceCriteria", contains("A written comparison exists."));
    }

    @Test
    void brokenFileIsRefusedWithEveryProblemAndNothingIsImported() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "b", "");
        as(ws).body(file("tasks-broken.json")).post("/api/briefs/{id}/tasks/import", briefId).then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("validation-failed"))
                .body("violations.field", containsInAnyOrder("master.tasks[3].title", "master.tasks[5].subtasks",
                        "master.tasks[7].subtasks[0].title", "master.tasks[9].description"))
                .body("detail", containsString("master.tasks[3].title: must not be blank"));

        as(ws).get("/api/briefs/{id}/tasks", briefId).then().statusCode(200).body("", empty());
    }

    @Test
    void somethingThatIsNotATaskMasterFileIsRefused() {
        String ws = newWorkspace();
        String briefId = createBrief(ws, "b", "");
        String path = "/api/briefs/" + briefId + "/tasks/import";
        as(ws).body("{\"projects\": [1, 2]}").post(path).then().statusCode(400)
                .body("violations.field", contains("body"));
        as(ws).body("[{\"title\": \"a list is not a file\"}]").post(path).then().statusCode(400)
                .body("violations.field", contains("body"));
        as(ws).body("{\"tasks\": {\"title\": \"not a list\"}}").post(path).then().statusCode(400)
                .body("violations.field", contains("tasks"));
        as(ws).body("{\"tasks\": []}").post(path).then().statusCode(400)
                .body("violations.field", contains("tasks"));
        as(ws).body("{\"tasks\": [{\"title\": \"ok\"}, \"not a task\"]}").post(path).then().statusCode(400)
                .body("violations.field", contains("tasks[1]"));
        as(ws).body("{\"tasks\": [{\"title\": \"unterminated").post(path).then().statusCode(400)
                .body("code", equalTo("validation-failed"))
                .body("violations.field", contains("body"));
        as(ws).body(file("tasks.json")).queryParam("tag", "nope").post(path).then().statusCode(400)
                .body("violations.field", contains("tag"))
                .body("violations[0].message", containsString("master, payments-v2"));
        as(ws).body("{\"tasks\": [{\"title\": \"" + "t".repeat(201) + "\"}]}").post(path).then().statusCode(400)
                .body("violations.field", contains("tasks[0].title"));

        as(ws).get("/api/briefs/{id}/tasks", briefId).then().body("", empty());
    }

    @Test
    void importIntoAnotherWorkspacesBriefIsNotFound() {
        String briefId = createBrief(newWorkspace(), "b", "");
        as(newWorkspace()).body(file("tasks.json")).post("/api/briefs/{id}/tasks/import", briefId).then()
                .statusCode(404)
                .body("code", equalTo("not-found"));
    }
}
