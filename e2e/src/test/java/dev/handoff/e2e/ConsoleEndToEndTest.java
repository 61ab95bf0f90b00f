package dev.handoff.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.testsupport.Browser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The web console on the real stack (issue 18's browser checks): a headless Chromium opens the console that
 * {@code ./handoff up} started ({@link E2eStack}, port 18080), signed in by a {@code #token=} link, and does what a
 * user does: sets up the workspace's background agent, creates a brief and a task, launches the demo agent on the local
 * provider, watches the run go PENDING -> RUNNING -> COMPLETED with its activity, opens the pull request's diff, follows
 * up, and cancels a slow run. Everything through the console's own origin (its /api/** forwarding), without a reload.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Order(5)
class ConsoleEndToEndTest {

    private static final Duration RUN = Duration.ofSeconds(150);

    private E2eStack e2e;
    private Browser browser;
    private String workspace;
    private String admin;

    @BeforeAll
    void openTheConsole() throws Exception {
        e2e = E2eStack.get();
        HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(e2e.console("/q/health/ready")))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), "the web console runs beside the services (./mvnw package -pl web-console first): "
                + ready.body());
        workspace = E2eStack.newWorkspace("console");
        admin = e2e.jwt().admin(workspace);
        browser = new Browser(e2e.console("/"), 1280, 900);
    }

    @AfterAll
    void closeTheBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void aUserSetsUpTheAgentLaunchesItWatchesTheRunLiveOpensTheDiffFollowsUpAndCancelsASlowRun() {
        // signed in by the link ./handoff console prints: the token leaves the address bar at once
        browser.signIn(admin, "/settings");
        browser.waitForText(By.tagName("h1"), "Background agents");
        assertFalse(browser.url().contains("token="), browser.url());

        // the admin sets up the local provider (the stack's agent command: the bundled demo agent behind e2e-agent.sh)
        new org.openqa.selenium.support.ui.Select(browser.field("Provider")).selectByValue("local");
        assertTrue(browser.field("Enabled").isSelected());
        browser.click("Save");
        browser.waitForText(By.cssSelector("[role=status]"), "Saved.");
        JsonNode config = e2e.client(admin).get(e2e.ports().gateway(), "/api/agent-config").expect(200).body();
        assertEquals("local", config.get("provider").asText());
        assertTrue(config.get("enabled").asBoolean());

        // a brief and a task, through the forms
        browser.go("/briefs");
        browser.type("Title", "Greeter CLI");
        browser.type("Content", "# Greeter CLI\n\nA tiny tool that greets **people**.");
        browser.click("Create brief");
        browser.waitForText(By.id("brief-title"), "Greeter CLI");
        browser.type("Task title", "Add a --shout option");
        browser.type("Task description", "`python3 -m greeter --shout Ada` prints the greeting in capitals.");
        browser.type("Acceptance criteria", "It prints HELLO, ADA!\nA unit test covers it");
        browser.click("Create task");
        browser.waitForText(By.id("task-title"), "Add a --shout option");
        String taskUrl = browser.url();

        // a refused launch: the service's violation is shown beside its field
        String repository = e2e.sampleRepository();
        browser.type("Repository URL", "ftp://example.com/greeter.git");
        browser.type("Branch", "main");
        browser.click("Launch agent");
        assertFalse(browser.errorBeside("Repository URL").isBlank());
        assertEquals("true", browser.field("Repository URL").getAttribute("aria-invalid"));

        // the launch, watched live: every status the page shows is recorded as it changes
        browser.js("window.notReloaded = true; window.seenStatuses = [];"
                + "new MutationObserver(() => { const s = document.querySelector('.run-status');"
                + "  const word = s && s.textContent; const seen = window.seenStatuses;"
                + "  if (word && seen[seen.length - 1] !== word) seen.push(word); })"
                + ".observe(document.getElementById('main'), {subtree: true, childList: true, characterData: true});");
        browser.type("Repository URL", repository);
        browser.click("Launch agent");
        browser.until(RUN, d -> "COMPLETED".equals(d.findElement(By.className("run-status")).getText()) ? true : null);
        @SuppressWarnings("unchecked")
        List<String> seen = (List<String>) browser.js("return window.seenStatuses");
        assertEquals(List.of("PENDING", "RUNNING", "COMPLETED"), seen, "the statuses the page showed, in order");

        // the pull request: the link leads to its diff, one section per file, coloured
        browser.waitFor(By.partialLinkText("local pull request")).click();
        WebElement diff = browser.waitFor(By.id("diff"));
        browser.until(d -> diff.findElements(By.cssSelector(".diff-file h4")).size() > 0 ? true : null);
        assertTrue(diff.findElements(By.cssSelector(".diff-file h4")).stream().anyMatch(h -> h.getText().contains("README.md") || h.getText().contains("docs/handoff/")),
                "the demo agent's change is in the diff");
        assertFalse(diff.findElements(By.cssSelector(".line.add")).isEmpty());
        assertEquals(Boolean.TRUE, browser.js("return window.notReloaded"), "all of it without a reload");

        // NEEDS the run-activity backend (gateway -> handoff.run-activity -> notification-service's /api/activity and
        // run.activity on /api/events). Until that work is merged this assertion fails here; it is meant to.
        browser.until(Duration.ofSeconds(30), d -> d.findElements(By.cssSelector(".activity li.kind-step")).size() > 0 ? true : null);
        assertFalse(browser.driver.findElements(By.cssSelector(".activity li.kind-log")).isEmpty(), "the agent's own lines");
        assertEquals(Boolean.TRUE, browser.js("const seqs = [...document.querySelectorAll('.activity li')].map(li => +li.dataset.seq);"
                + " return seqs.length > 0 && seqs.every((s, i) => s === i + 1)"), "the activity in order, nothing twice");

        // NEEDS the follow-ups backend (POST /api/runs/{id}/followups, Run.followUpOf). Until merged this fails here.
        String first = e2e.client(admin).get(e2e.ports().runs(), "/api/tasks/" + taskId(taskUrl) + "/runs").expect(200).body()
                .get(0).get("id").asText();
        browser.type("Follow-up instructions", "Also mention the option in the README.");
        browser.click("Follow up");
        browser.waitForText(By.cssSelector(".facts"), "Follows up");
        JsonNode followUp = e2e.client(admin).get(e2e.ports().runs(), "/api/tasks/" + taskId(taskUrl) + "/runs").expect(200).body().get(0);
        assertEquals(first, followUp.get("followUpOf").asText(), followUp.toString());
        browser.until(RUN, d -> d.findElement(By.className("run-status")).getText().matches("COMPLETED|FAILED") ? true : null);
        browser.waitForText(By.cssSelector("tr[data-run-id='" + followUp.get("id").asText() + "'] .follow-up-of"), first.substring(0, 8));
    }

    @Test
    void aSlowRunIsCancelledFromTheTaskView() {
        String briefId = e2e.client(admin).post(e2e.ports().tasks(), "/api/briefs", Sample.brief()).expect(201).body().get("id").asText();
        String taskId = e2e.client(admin).post(e2e.ports().tasks(), "/api/briefs/" + briefId + "/tasks", Sample.task("A slow task to cancel"))
                .expect(201).body().get("id").asText();
        e2e.client(admin).put(e2e.ports().gateway(), "/api/agent-config", java.util.Map.of("provider", "local", "enabled", true)).expect(200);
        browser.signIn(admin, "/tasks/" + taskId);
        browser.type("Repository URL", e2e.sampleRepository());
        browser.type("Branch", "main");
        browser.click("Launch agent");
        browser.until(RUN, d -> "RUNNING".equals(d.findElement(By.className("run-status")).getText()) ? true : null);
        browser.click("Cancel run");
        browser.waitForText(By.className("run-status"), "CANCELLED");
        JsonNode run = e2e.client(admin).get(e2e.ports().runs(), "/api/tasks/" + taskId + "/runs").expect(200).body().get(0);
        assertEquals("CANCELLED", run.get("status").asText());
        assertNotNull(browser.button("Retry"), "a cancelled run can be retried");
    }

    private static String taskId(String taskUrl) {
        return taskUrl.replaceAll(".*#/tasks/([^/?]+).*", "$1");
    }
}
