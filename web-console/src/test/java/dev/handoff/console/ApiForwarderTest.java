package dev.handoff.console;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.console.fake.FakeHandoff;
import dev.handoff.console.fake.FakeServices;
import dev.handoff.console.fake.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console's /api/** forwarding, against the fakes of the four services. */
@QuarkusTest
@QuarkusTestResource(FakeServices.class)
class ApiForwarderTest {

    @TestHTTPResource("/")
    URL root;

    FakeHandoff fake;
    String workspace;
    String token;

    @BeforeEach
    void setUp() {
        fake = FakeServices.fake();
        workspace = "fw-" + UUID.randomUUID().toString().substring(0, 8);
        token = Tokens.admin(workspace);
    }

    @Test
    void eachRequestReachesTheServiceThatOwnsItsPath() {
        fake.configure(workspace, "local", true);
        String brief = fake.seedBrief(workspace, "B", "c");
        String task = fake.seedTask(workspace, brief, "T");
        String run = fake.launch(workspace, task, "file:///srv/repos/x.git");
        String[][] cases = {
                {"/api/briefs", "tasks"}, {"/api/briefs/" + brief + "/tasks", "tasks"}, {"/api/tasks/" + task, "tasks"},
                {"/api/tasks/" + task + "/agent-context", "tasks"}, {"/api/tasks/" + task + "/runs", "runs"},
                {"/api/runs/" + run, "runs"}, {"/api/runs?status=PENDING", "runs"}, {"/api/agent-config", "gateway"},
                {"/api/pull-requests/" + UUID.randomUUID(), "gateway"}, {"/api/activity?runId=" + run, "notifications"},
                {"/api/webhooks", "notifications"}};
        for (String[] c : cases) {
            fake.served.clear();
            given().auth().oauth2(token).get(root + c[0].substring(1));
            String path = c[0].split("\\?")[0];
            assertEquals(List.of(c[1] + " GET " + path), List.copyOf(fake.served), c[0]);
        }
    }

    @Test
    void bodiesHeadersAndProblemsPassThroughAsTheServicesWroteThem() {
        String location = given().auth().oauth2(token).contentType("application/json").body("{\"title\":\"Brief\",\"content\":\"# x\"}")
                .post(root + "api/briefs")
                .then().statusCode(201).header("ETag", notNullValue()).body("title", equalTo("Brief"))
                .extract().header("Location");
        String id = location.substring(location.lastIndexOf('/') + 1);
        given().auth().oauth2(token).contentType("application/json").header("If-Match", "\"stale\"").body("{\"title\":\"New\"}")
                .put(root + "api/briefs/" + id)
                .then().statusCode(412).contentType("application/problem+json").body("code", equalTo("precondition-failed"));
        given().contentType("application/json").body("{\"title\":\"x\"}").post(root + "api/briefs")
                .then().statusCode(401).contentType("application/problem+json").body("code", equalTo("unauthorized"));
        given().auth().oauth2(token).contentType("application/json").body("{\"title\":\"\"}").post(root + "api/briefs")
                .then().statusCode(400).body("violations[0].field", equalTo("title"));
        for (int i = 0; i < 3; i++) {
            fake.seedBrief(workspace, "more " + i, "");
        }
        given().auth().oauth2(token).get(root + "api/briefs?limit=2")
                .then().statusCode(200).header("Link", startsWith("</api/briefs?limit=2&cursor="));
    }

    @Test
    void aPathNoServiceOwnsIsANotFoundProblem() {
        given().auth().oauth2(token).get(root + "api/nothing-here")
                .then().statusCode(404).contentType("application/problem+json").body("code", equalTo("not-found"));
    }

    @Test
    void theHealthEndpointsAnswer() {
        given().get(root + "q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get(root + "q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get(root).then().statusCode(200).contentType(startsWith("text/html"));
    }

    @Test
    void theEventStreamIsForwardedAsItIsWrittenAndClosedWhenTheBrowserGoes() throws Exception {
        fake.configure(workspace, "local", true);
        String brief = fake.seedBrief(workspace, "B", "c");
        String task = fake.seedTask(workspace, brief, "T");
        int before = fake.openStreams();
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create(root + "api/events?access_token=" + token))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.openStreams() > before);

        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        CompletableFuture<Void> sawEvent = CompletableFuture.runAsync(() -> {
            try {
                for (String line; (line = reader.readLine()) != null; ) {
                    lines.add(line);
                    if (line.startsWith("data: ") && line.contains("\"status\":\"PENDING\"")) {
                        return;
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String run = fake.launch(workspace, task, "file:///srv/repos/x.git");
        // the stream is still open: the event came through while the service kept writing, not at its end
        sawEvent.get(5, TimeUnit.SECONDS);
        assertTrue(lines.contains("event: run.status-changed"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains(run)), lines.toString());

        response.body().close();
        await().atMost(Duration.ofSeconds(10)).until(() -> fake.openStreams() == before);
    }
}
