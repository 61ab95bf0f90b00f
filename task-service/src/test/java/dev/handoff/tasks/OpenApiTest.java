package dev.handoff.tasks;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAPI document a frontend developer works from describes every endpoint, its errors and its schemas. */
@QuarkusTest
class OpenApiTest {

    @Test
    void everyEndpointIsDescribedWithItsProblemResponsesAndSchemas() {
        given().queryParam("format", "json").get("/q/openapi").then()
                .statusCode(200)
                .body("paths", hasKey("/api/briefs"))
                .body("paths", hasKey("/api/briefs/{id}"))
                .body("paths", hasKey("/api/briefs/{briefId}/tasks"))
                .body("paths", hasKey("/api/briefs/{briefId}/tasks/import"))
                .body("paths", hasKey("/api/tasks/{id}"))
                .body("paths", hasKey("/api/tasks/{id}/agent-context"))
                .body("tags.name", hasItems("Briefs", "Tasks", "Task Master import"))
                .body("paths.'/api/briefs'.post.responses.'201'.headers", hasKey("Location"))
                .body("paths.'/api/briefs'.post.responses.'400'.content.'application/problem+json'.examples",
                        hasKey("validation-failed"))
                .body("paths.'/api/briefs'.post.responses", hasKey("401"))
                .body("paths.'/api/briefs/{briefId}/tasks'.post.responses", hasKey("404"))
                .body("paths.'/api/briefs/{briefId}/tasks/import'.post.tags", equalTo(List.of("Task Master import")))
                .body("paths.'/api/briefs/{briefId}/tasks/import'.post.responses", hasKey("400"))
                .body("paths.'/api/tasks/{id}'.put.responses", hasKey("400"))
                .body("paths.'/api/tasks/{id}'.get.security", notNullValue())
                .body("components.schemas.TaskInput.properties.title.maxLength", equalTo(200))
                .body("components.schemas.Task.properties.agentRun.description", containsString("null"))
                .body("components.schemas.Subtask.properties.position.description", containsString("0-based"))
                .body("components.schemas.Problem.properties", hasKey("violations"));
    }

    @Test
    void theUpdateRulesAndPagingAreDescribed() {
        given().queryParam("format", "json").get("/q/openapi").then()
                .statusCode(200)
                .body("paths.'/api/briefs'.get.responses.'200'.headers", hasKey("Link"))
                .body("paths.'/api/briefs'.get.responses", hasKey("400"))
                .body("paths.'/api/briefs'.get.parameters.name", hasItems("limit", "cursor"))
                .body("paths.'/api/briefs/{briefId}/tasks'.get.responses.'200'.headers", hasKey("Link"))
                .body("paths.'/api/briefs/{id}'.get.responses.'200'.headers", hasKey("ETag"))
                .body("paths.'/api/tasks/{id}'.get.responses.'200'.headers", hasKey("ETag"))
                .body("paths.'/api/tasks/{id}'.put.responses", hasKey("412"))
                .body("paths.'/api/tasks/{id}'.delete.responses", hasKey("412"))
                .body("paths.'/api/briefs/{id}'.put.responses", hasKey("412"))
                .body("paths.'/api/briefs/{id}'.put.parameters.name", hasItems("If-Match"))
                .body("components.schemas.BriefListItem.properties", hasKey("contentLength"))
                .body("components.schemas.BriefListItem.properties", not(hasKey("content")))
                .body("components.schemas.TaskReplacement.properties.title.maxLength", equalTo(200));
    }
}
