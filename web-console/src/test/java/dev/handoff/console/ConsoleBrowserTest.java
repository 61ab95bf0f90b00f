package dev.handoff.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.console.fake.FakeHandoff;
import dev.handoff.console.fake.FakeServices;
import dev.handoff.console.fake.Tokens;
import dev.handoff.testsupport.Browser;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/** The console in a real headless Chromium, against the in-test fakes of the four services. */
@QuarkusTest
@QuarkusTestResource(FakeServices.class)
class ConsoleBrowserTest {

    static final String DIFF = """
            diff --git a/src/greet.py b/src/greet.py
            index 1b2c3d4..5e6f7a8 100644
            --- a/src/greet.py
            +++ b/src/greet.py
            @@ -1,2 +1,3 @@
             def greet():
            -    return "Hi"
            +    return "Hello"
            +
            diff --git a/tests/test_greet.py b/tests/test_greet.py
            new file mode 100644
            --- /dev/null
            +++ b/tests/test_greet.py
            @@ -0,0 +1,2 @@
            +def test_greet():
            +    assert greet() == "Hello"
            """;

    private static Browser browser;

    @TestHTTPResource("/")
    URL root;

    FakeHandoff fake;
    String workspace;
    String admin;
    String member;

    @BeforeEach
    void setUp() {
        if (browser == null) {
            browser = new Browser(root.toString(), 1280, 900);
        }
        fake = FakeServices.fake();
        fake.refuseStreams(false);
        fake.activityEndpoint(true);
        workspace = "ws-" + UUID.randomUUID().toString().substring(0, 8);
        admin = Tokens.admin(workspace);
        member = Tokens.member(workspace);
        browser.reset();
    }

    @AfterAll
    static void quit() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    @Test
    void tokenInTheFragmentSignsInAndLeavesTheAddressBar() {
        browser.signIn(admin, null);
        browser.waitForText(By.tagName("h1"), "Briefs");
        assertFalse(browser.url().contains("token="), browser.url());
        assertTrue(browser.url().endsWith("#/briefs"), browser.url());
        assertEquals(admin, browser.js("return sessionStorage.getItem('handoff.token')"));
        assertTrue(browser.driver.findElement(By.id("who")).getText().contains(workspace + " · admin"));
        assertFalse((Boolean) browser.js("return history.length > 0 && location.href.includes('token')"));
    }

    @Test
    void aPastedTokenSignsInAndSignOutForgetsIt() {
        browser.go("/briefs");
        browser.waitFor(By.xpath("//h1[normalize-space()='Sign in to Handoff']"));
        browser.type("Bearer token", "not-a-token");
        browser.click("Sign in");
        assertTrue(browser.errorBeside("Bearer token").contains("three parts"));
        browser.type("Bearer token", member);
        browser.click("Sign in");
        browser.waitForText(By.tagName("h1"), "Briefs");
        assertTrue(browser.driver.findElement(By.id("who")).getText().contains("member"));
        browser.click("Sign out");
        browser.waitFor(By.xpath("//h1[normalize-space()='Sign in to Handoff']"));
        assertNull(browser.js("return sessionStorage.getItem('handoff.token')"));
    }

    @Test
    void briefAndTaskAreCreatedAndMarkdownIsRenderedSafely() {
        browser.signIn(admin, "/briefs");
        browser.type("Title", "Greeter");
        browser.type("Content", "# Plan\n\nSay **hello** to `everyone`.\n\n<img src=x onerror=\"window.pwned=1\"> [bad](javascript:window.pwned=1) [good](https://example.com)");
        browser.click("Create brief");
        browser.waitForText(By.id("brief-title"), "Greeter");
        WebElement markdown = browser.waitFor(By.className("markdown"));
        assertEquals("hello", markdown.findElement(By.tagName("strong")).getText());
        assertEquals("everyone", markdown.findElement(By.tagName("code")).getText());
        assertTrue(markdown.findElements(By.tagName("img")).isEmpty(), "raw HTML is shown as text");
        assertTrue(markdown.getText().contains("<img src=x"));
        assertTrue(markdown.findElements(By.cssSelector("a[href^='javascript']")).isEmpty());
        assertEquals(1, markdown.findElements(By.cssSelector("a[href='https://example.com']")).size());
        assertNull(browser.js("return window.pwned"));

        browser.type("Task title", "Say hello");
        browser.type("Task description", "Make `greet()` return **Hello**.");
        browser.type("Acceptance criteria", "greet() returns Hello\nA test covers it");
        browser.click("Create task");
        browser.waitForText(By.id("task-title"), "Say hello");
        String taskId = fake.taskIdByTitle(workspace, "Say hello");
        assertEquals(List.of("greet() returns Hello", "A test covers it"), fake.task(taskId).getJsonArray("acceptanceCriteria").getList());
        assertEquals(2, browser.driver.findElements(By.cssSelector(".criteria li")).size());

        browser.waitFor(By.linkText("Greeter")).click(); // the breadcrumb names the brief once its title has come
        WebElement row = browser.waitFor(By.cssSelector("[data-task-id='" + taskId + "']"));
        assertEquals("NOT RUN", row.findElement(By.className("badge")).getText());
    }

    @Test
    void briefsArePagedByTheLinkHeaderAndEditedAndDeletedWithConfirmation() {
        for (int i = 1; i <= 23; i++) {
            fake.seedBrief(workspace, String.format("Brief %02d", i), "content " + i);
        }
        browser.signIn(admin, "/briefs");
        browser.waitForText(By.tagName("h1"), "Briefs");
        browser.until(d -> d.findElements(By.cssSelector(".cards > li")).size() == 20 ? true : null);
        browser.driver.findElement(By.linkText("Next page »")).click();
        browser.until(d -> d.findElements(By.cssSelector(".cards > li")).size() == 3 ? true : null);
        assertTrue(browser.url().contains("#/briefs?cursor="));

        browser.driver.findElement(By.linkText("Brief 23")).click();
        browser.click("Edit brief");
        browser.type("Title", "Brief twenty-three");
        browser.click("Save brief");
        browser.waitForText(By.id("brief-title"), "Brief twenty-three");

        browser.click("Delete brief");
        browser.driver.switchTo().alert().dismiss();
        assertTrue(fake.briefIdByTitle(workspace, "Brief twenty-three") != null, "dismissed: nothing deleted");
        browser.click("Delete brief");
        browser.driver.switchTo().alert().accept();
        browser.waitForText(By.tagName("h1"), "Briefs");
        browser.until(d -> fake.briefIdByTitle(workspace, "Brief twenty-three") == null ? true : null);
    }

    @Test
    void aTaskMasterFileIsImportedAndWhatCameInIsShown() throws Exception {
        String briefId = fake.seedBrief(workspace, "Imported", "");
        Path file = Files.createTempFile("tasks", ".json");
        Files.writeString(file, """
                {"master": {"tasks": [
                  {"id": 1, "title": "Set up the project", "description": "Scaffold", "details": "Use Maven", "testStrategy": "It builds",
                   "subtasks": [{"id": 1, "title": "pom.xml"}]},
                  {"id": 2, "title": "Write the greeter", "description": "greet()", "testStrategy": "A unit test"}
                ]}}""");
        browser.signIn(admin, "/briefs/" + briefId);
        browser.field("Task Master tasks.json").sendKeys(file.toString());
        browser.click("Import tasks");
        browser.waitForText(By.cssSelector("[role=status]"), "Imported 2 tasks from " + file.getFileName());
        browser.waitForText(By.cssSelector("[role=status] li"), "Set up the project (1 criteria, 1 subtasks)");
        browser.until(d -> d.findElements(By.cssSelector(".task-row")).size() == 2 ? true : null);
    }

    @Test
    void withoutAnEnabledConfigurationTheTaskLinksToTheSettingsInsteadOfTheForm() {
        String briefId = fake.seedBrief(workspace, "B", "");
        String taskId = fake.seedTask(workspace, briefId, "T");
        browser.signIn(member, "/tasks/" + taskId);
        browser.waitForText(By.cssSelector("[role=note]"), "not set up");
        assertTrue(browser.driver.findElements(By.xpath("//button[normalize-space()='Launch agent']")).isEmpty());
        browser.driver.findElement(By.partialLinkText("workspace settings")).click();
        browser.waitForText(By.tagName("h1"), "Background agents");

        fake.configure(workspace, "local", false);
        browser.go("/tasks/" + taskId);
        browser.waitForText(By.cssSelector("[role=note]"), "turned off");
    }

    @Test
    void aLaunchThatIsRefusedShowsEachViolationBesideItsField() {
        fake.configure(workspace, "local", true);
        String briefId = fake.seedBrief(workspace, "B", "");
        String taskId = fake.seedTask(workspace, briefId, "T");
        browser.signIn(admin, "/tasks/" + taskId);
        assertEquals("local", new Select(browser.field("Provider")).getFirstSelectedOption().getAttribute("value"));
        browser.type("Repository URL", "ftp://example.com/repo");
        browser.type("Branch", "main");
        browser.type("Target branch", "main");
        browser.click("Launch agent");
        assertTrue(browser.errorBeside("Repository URL").contains("must be an https://"), browser.errorBeside("Repository URL"));
        assertTrue(browser.errorBeside("Target branch").contains("must differ from branch"));
        assertEquals("true", browser.field("Repository URL").getAttribute("aria-invalid"));
        browser.waitForText(By.className("form-error"), "The request is not valid");
        assertTrue(fake.runsOf(taskId).isEmpty());
    }

    @Test
    void theRunIsFollowedLiveFromPendingToCompletedWithActivityAndDiffThenFollowedUpCancelledAndRetried() {
        fake.configure(workspace, "local", true);
        String briefId = fake.seedBrief(workspace, "B", "");
        String taskId = fake.seedTask(workspace, briefId, "Say hello");
        browser.signIn(admin, "/tasks/" + taskId);
        browser.js("window.notReloaded = true");
        browser.type("Repository URL", "file:///srv/repos/greeter.git");
        browser.type("Branch", "main");
        browser.type("Instructions", "Keep it short.");
        browser.click("Launch agent");
        browser.waitForText(By.className("run-status"), "PENDING");
        String runId = fake.latestRunId(taskId);
        assertEquals("Keep it short.", fake.run(runId).getString("instructions"));
        browser.until(d -> fake.openStreams() > 0 ? true : null);

        fake.status(runId, "RUNNING", null);
        browser.waitForText(By.className("run-status"), "RUNNING");
        fake.activity(runId, "step", "Cloning file:///srv/repos/greeter.git at main");
        fake.activity(runId, "tool", "edit src/greet.py");
        browser.waitForText(By.cssSelector(".activity .kind-tool .text"), "edit src/greet.py");
        assertEquals("Cloning file:///srv/repos/greeter.git at main", browser.driver.findElement(By.cssSelector(".activity li:first-child .text")).getText());

        // thousands of lines, in bursts: every one arrives, in order, and the list follows the tail
        for (int burst = 0; burst < 20; burst++) {
            String[] lines = new String[100];
            for (int i = 0; i < lines.length; i++) {
                lines[i] = "line " + (burst * 100 + i + 1);
            }
            fake.activity(runId, "log", lines);
        }
        // the page keeps a window of the latest 1,000 lines; the earlier ones come back on demand, in their place
        browser.waitForText(By.cssSelector(".activity li:last-child .text"), "line 2000");
        assertEquals(1000, browser.driver.findElements(By.cssSelector(".activity li")).size());
        assertEquals("line 1001", browser.driver.findElement(By.cssSelector(".activity li:first-child .text")).getText());
        assertTrue((Boolean) browser.js("const l = document.querySelector('.activity'); return l.scrollTop + l.clientHeight >= l.scrollHeight - 30"));
        browser.click("Show earlier lines (1,002 hidden)");
        assertEquals(2000, browser.driver.findElements(By.cssSelector(".activity li")).size());
        browser.click("Show earlier lines (2 hidden)");
        assertEquals(2002, browser.driver.findElements(By.cssSelector(".activity li")).size());
        assertEquals("Cloning file:///srv/repos/greeter.git at main", browser.driver.findElement(By.cssSelector(".activity li:first-child .text")).getText());
        assertEquals(List.of(), browser.driver.findElements(By.xpath("//button[starts-with(normalize-space(),'Show earlier lines')]"))
                .stream().filter(WebElement::isDisplayed).toList());
        assertEquals(Boolean.TRUE, browser.js("const seqs = [...document.querySelectorAll('.activity li')].map(li => +li.dataset.seq);"
                + " return seqs.every((s, i) => s === i + 1)"), "every line once, in seq order");

        // reading further up, the list stays where the user is, and offers the way back to the tail
        browser.js("document.querySelector('.activity').scrollTop = 0");
        fake.activity(runId, "log", "line 2001", "line 2002");
        browser.waitForText(By.cssSelector(".activity li:last-child .text"), "line 2002");
        assertEquals(0L, ((Number) browser.js("return document.querySelector('.activity').scrollTop")).longValue());
        browser.click("Jump to the latest line");
        assertTrue((Boolean) browser.js("const l = document.querySelector('.activity'); return l.scrollTop + l.clientHeight >= l.scrollHeight - 30"));

        fake.complete(runId, DIFF);
        browser.waitForText(By.className("run-status"), "COMPLETED");
        WebElement diff = browser.waitFor(By.id("diff"));
        browser.waitForText(By.cssSelector("#diff .diff-file h4"), "src/greet.py");
        assertEquals(2, diff.findElements(By.className("diff-file")).size());
        assertEquals("+    return \"Hello\"", diff.findElement(By.cssSelector(".line.add")).getText());
        assertEquals("-    return \"Hi\"", diff.findElement(By.cssSelector(".line.del")).getText());
        // Python's syntax in src/greet.py: the keyword and the string have their own colours
        assertEquals("return", diff.findElement(By.cssSelector(".line.add .tok-keyword")).getText());
        assertEquals("\"Hello\"", diff.findElement(By.cssSelector(".line.add .tok-string")).getText());
        browser.waitForText(By.className("summary"), "Changed greet()");
        browser.waitForText(By.className("pr-line"), "local pull request");

        browser.type("Follow-up instructions", "Also greet by name.");
        browser.click("Follow up");
        browser.until(d -> fake.runsOf(taskId).size() == 2 ? true : null);
        String followUp = fake.latestRunId(taskId);
        assertEquals(runId, fake.run(followUp).getString("followUpOf"));
        assertEquals("Also greet by name.", fake.run(followUp).getString("instructions"));
        browser.waitForText(By.className("run-status"), "PENDING");

        browser.click("Cancel run");
        browser.waitForText(By.className("run-status"), "CANCELLED");
        assertEquals("CANCELLED", fake.run(followUp).getString("status"));

        browser.click("Retry");
        browser.until(d -> fake.runsOf(taskId).size() == 3 ? true : null);
        browser.waitForText(By.className("run-status"), "PENDING");
        browser.until(d -> d.findElements(By.cssSelector("#history-title + .table-scroll tbody tr")).size() == 3 ? true : null);
        // read inside a wait: the table is redrawn as the run's events arrive
        List<String> expected = List.of("PENDING", "CANCELLED", "COMPLETED");
        List<String> outcomes = browser.until(d -> {
            List<String> seen = d.findElements(By.cssSelector("tbody tr .badge")).stream().map(WebElement::getText).toList();
            return seen.equals(expected) ? seen : null;
        });
        assertEquals(expected, outcomes);
        assertEquals(Boolean.TRUE, browser.js("return window.notReloaded"), "all of it without a reload");
    }

    @Test
    void earlierActivityIsFetchedAndA404FromTheActivityEndpointIsTolerated() {
        fake.configure(workspace, "local", true);
        String briefId = fake.seedBrief(workspace, "B", "");
        String taskId = fake.seedTask(workspace, briefId, "T");
        String runId = fake.launch(workspace, taskId, "file:///srv/repos/greeter.git");
        fake.status(runId, "RUNNING", null);
        fake.activity(runId, "step", "Cloning");
        fake.activity(runId, "message", "I will edit greet.py");
        browser.signIn(admin, "/tasks/" + taskId);
        browser.until(d -> d.findElements(By.cssSelector(".activity li")).size() == 2 ? true : null);
        browser.waitForText(By.cssSelector(".activity .kind-message"), "I will edit greet.py");

        fake.activityEndpoint(false);
        browser.go("/briefs");
        browser.waitForText(By.tagName("h1"), "Briefs");
        browser.go("/tasks/" + taskId);
        browser.waitForText(By.className("run-status"), "RUNNING");
        browser.until(d -> fake.openStreams() > 0 ? true : null);
        fake.activity(runId, "log", "still going");
        browser.waitForText(By.cssSelector(".activity .kind-log"), "still going");
    }

    @Test
    void theBriefsTaskListKeepsEachBadgeLive() {
        fake.configure(workspace, "local", true);
        String briefId = fake.seedBrief(workspace, "B", "");
        String first = fake.seedTask(workspace, briefId, "First");
        String second = fake.seedTask(workspace, briefId, "Second");
        browser.signIn(member, "/briefs/" + briefId);
        browser.until(d -> d.findElements(By.cssSelector(".task-row")).size() == 2 ? true : null);
        browser.until(d -> fake.openStreams() > 0 ? true : null);
        String runId = fake.launch(workspace, first, "file:///srv/repos/greeter.git");
        browser.waitForText(By.cssSelector("[data-task-id='" + first + "'] .badge"), "PENDING");
        fake.status(runId, "RUNNING", null);
        browser.waitForText(By.cssSelector("[data-task-id='" + first + "'] .badge"), "RUNNING");
        fake.status(runId, "FAILED", new JsonObject().put("code", "agent-failed").put("message", "exit 1"));
        browser.waitForText(By.cssSelector("[data-task-id='" + first + "'] .badge"), "FAILED");
        assertEquals("NOT RUN", browser.driver.findElement(By.cssSelector("[data-task-id='" + second + "'] .badge")).getText());
    }

    @Test
    void aDroppedStreamSaysSoReconnectsAndCatchesUpWithWhatItMissed() {
        fake.configure(workspace, "local", true);
        String briefId = fake.seedBrief(workspace, "B", "");
        String taskId = fake.seedTask(workspace, briefId, "T");
        String runId = fake.launch(workspace, taskId, "file:///srv/repos/greeter.git");
        browser.signIn(admin, "/tasks/" + taskId);
        browser.waitForText(By.className("run-status"), "PENDING");
        browser.until(d -> fake.openStreams() > 0 ? true : null);
        fake.activity(runId, "step", "before the drop");
        browser.waitForText(By.cssSelector(".activity"), "before the drop");

        fake.refuseStreams(true);
        fake.dropStreams();
        browser.waitForText(By.id("connection"), "disconnected, reconnecting");
        fake.status(runId, "RUNNING", null);
        fake.activity(runId, "log", "while disconnected");
        fake.refuseStreams(false);

        browser.waitForText(By.className("run-status"), "RUNNING");
        browser.waitForText(By.cssSelector(".activity"), "while disconnected");
        browser.until(d -> d.findElement(By.id("connection")).isDisplayed() ? null : true);
        assertEquals(2, browser.driver.findElements(By.cssSelector(".activity li")).size(), "nothing twice");
    }

    @Test
    void activityStaysInOrderAcrossAReconnectAndWhatTheStreamCouldNotReplayIsFetched() {
        fake.configure(workspace, "local", true);
        String briefId = fake.seedBrief(workspace, "B", "");
        String taskId = fake.seedTask(workspace, briefId, "T");
        String runId = fake.launch(workspace, taskId, "file:///srv/repos/greeter.git");
        fake.status(runId, "RUNNING", null);
        browser.signIn(admin, "/tasks/" + taskId);
        browser.js("window.notReloaded = true");
        browser.until(d -> fake.openStreams() > 0 ? true : null);
        fake.activity(runId, "step", "1 cloning");
        browser.waitForText(By.cssSelector(".activity"), "1 cloning");

        fake.refuseStreams(true);
        fake.dropStreams();
        browser.waitForText(By.id("connection"), "disconnected, reconnecting");
        fake.activityNotReplayed(runId, "message", "2 lost by the stream");
        fake.activityNotReplayed(runId, "tool", "3 also lost");
        fake.activity(runId, "log", "4 replayed");
        fake.refuseStreams(false);
        browser.until(d -> d.findElement(By.id("connection")).isDisplayed() ? null : true);
        browser.until(d -> fake.openStreams() > 0 ? true : null);
        fake.activity(runId, "log", "5 live again");

        List<String> expected = List.of("1 cloning", "2 lost by the stream", "3 also lost", "4 replayed", "5 live again");
        browser.until(d -> activityTexts().equals(expected) ? true : null);
        assertEquals(List.of("kind-step", "kind-message", "kind-tool", "kind-log", "kind-log"),
                browser.driver.findElements(By.cssSelector(".activity li")).stream().map(li -> li.getAttribute("class").replace("entry ", "")).toList());
        assertEquals(Boolean.TRUE, browser.js("return window.notReloaded"), "without a reload");
    }

    @Test
    void aFinishedRunIsFollowedUpAndItsProblemsAreShownBesideTheInstructions() {
        fake.configure(workspace, "local", true);
        String briefId = fake.seedBrief(workspace, "B", "");
        String taskId = fake.seedTask(workspace, briefId, "T");
        String nothingPushed = fake.launch(workspace, taskId, "file:///srv/repos/greeter.git");
        browser.signIn(member, "/tasks/" + taskId);
        browser.waitForText(By.className("run-status"), "PENDING");
        browser.until(d -> fake.openStreams() > 0 ? true : null);
        assertTrue(browser.driver.findElements(By.xpath("//label[normalize-space()='Follow-up instructions']")).stream()
                .noneMatch(WebElement::isDisplayed), "no follow-up while the run is active");

        // completed without a pull request: offered, and the service's refusal is shown in words
        fake.status(nothingPushed, "COMPLETED", null);
        browser.waitForText(By.className("run-status"), "COMPLETED");
        browser.click("Follow up");
        assertTrue(browser.errorBeside("Follow-up instructions").contains("must be 1-10,000 characters"));
        assertEquals("true", browser.field("Follow-up instructions").getAttribute("aria-invalid"));
        browser.type("Follow-up instructions", "Try again.");
        browser.click("Follow up");
        browser.waitForText(By.cssSelector(".follow-up .form-error"), "Only the task's latest run with a pushed branch can be followed up.");
        assertEquals(1, fake.runsOf(taskId).size());

        // a run with a pull request and the provider's usage
        browser.click("Retry");
        browser.until(d -> fake.runsOf(taskId).size() == 2 ? true : null);
        String first = fake.latestRunId(taskId);
        fake.status(first, "RUNNING", null);
        fake.usage(first, 65_000L, 12_345L, 678L, 0.42);
        fake.complete(first, DIFF);
        browser.waitForText(By.className("run-status"), "COMPLETED");
        browser.waitForText(By.className("run-usage"), "1 min 5 s · 12,345 tokens in · 678 out · $0.42");
        browser.type("Follow-up instructions", "Also greet by name.");
        browser.click("Follow up");
        browser.until(d -> fake.runsOf(taskId).size() == 3 ? true : null);
        String followUp = fake.latestRunId(taskId);
        assertEquals(first, fake.run(followUp).getString("followUpOf"));
        assertEquals(fake.run(first).getString("targetBranch"), fake.run(followUp).getString("targetBranch"));
        assertEquals(1, fake.followUps.stream().filter(java.util.Objects::nonNull).count(), "sent with an Idempotency-Key");
        browser.waitForText(By.className("run-status"), "PENDING");
        browser.waitForText(By.cssSelector(".facts"), "Follows up");
        // the history is redrawn as the run's events arrive: the cell is looked up again until it says so
        browser.waitForText(By.cssSelector("tr[data-run-id='" + followUp + "'] .follow-up-of"), "follow-up of " + first.substring(0, 8));
        browser.waitForText(By.cssSelector("tr[data-run-id='" + first + "'] td.usage"), "12,345 tokens in");
    }

    @Test
    void anAgentTheOperatorDidNotEnableIsRefusedBesideItsField() {
        browser.signIn(admin, "/settings");
        browser.waitForText(By.tagName("h1"), "Background agents");
        new Select(browser.field("Provider")).selectByValue("local");
        browser.type("Agent", "rm-rf-agent");
        browser.click("Save");
        assertTrue(browser.errorBeside("Agent").contains("must be one of the operator's agents"), browser.errorBeside("Agent"));
        assertEquals("true", browser.field("Agent").getAttribute("aria-invalid"));
        browser.waitForText(By.className("form-error"), "The request is not valid");
        assertNull(fake.config(workspace));
    }

    private List<String> activityTexts() {
        return browser.driver.findElements(By.cssSelector(".activity li .text")).stream().map(WebElement::getText).toList();
    }

    @Test
    void aStaleTaskEditSaysItChangedElsewhereAndReloadShowsTheCurrentOne() {
        String briefId = fake.seedBrief(workspace, "B", "");
        String taskId = fake.seedTask(workspace, briefId, "Original");
        browser.signIn(admin, "/tasks/" + taskId);
        browser.click("Edit task");
        browser.type("Title", "Mine");
        browser.type("Description", "New words");
        browser.click("Add subtask");
        browser.type("Subtask 1 title", "First step");
        fake.touchTask(taskId, "Theirs");
        browser.click("Save task");
        browser.waitForText(By.className("form-error"), "changed elsewhere");
        assertEquals("Theirs", fake.task(taskId).getString("title"));
        browser.click("Reload");
        browser.waitForText(By.id("task-title"), "Theirs");

        browser.click("Edit task");
        browser.click("Add subtask");
        browser.type("Subtask 1 title", "First step");
        browser.type("Subtask 1 description", "Scaffold");
        browser.click("Save task");
        browser.waitForText(By.cssSelector(".subtasks li"), "First step");
        assertEquals("First step", fake.task(taskId).getJsonArray("subtasks").getJsonObject(0).getString("title"));
    }

    @Test
    void theKeyboardAloneLaunchesAndTheSkipLinkKeepsTheScreen() {
        fake.configure(workspace, "local", true);
        String briefId = fake.seedBrief(workspace, "B", "");
        String taskId = fake.seedTask(workspace, briefId, "T");
        browser.signIn(admin, "/tasks/" + taskId);
        browser.field("Repository URL").sendKeys("file:///srv/repos/greeter.git");
        browser.field("Branch").sendKeys(org.openqa.selenium.Keys.ENTER);
        browser.waitForText(By.className("run-status"), "PENDING");
        assertEquals(1, fake.runsOf(taskId).size());

        browser.driver.navigate().refresh();
        browser.waitForText(By.className("run-status"), "PENDING");
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys(org.openqa.selenium.Keys.TAB).perform();
        assertEquals("skip-link", browser.js("return document.activeElement.id"));
        browser.driver.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ENTER);
        assertEquals("main", browser.js("return document.activeElement.id"));
        assertTrue(browser.url().endsWith("#/tasks/" + taskId), browser.url());
    }

    @Test
    void aSubtaskViolationIsShownBesideItsRowEvenAfterARowWasRemoved() {
        String briefId = fake.seedBrief(workspace, "B", "");
        String taskId = fake.seedTask(workspace, briefId, "Original");
        browser.signIn(admin, "/tasks/" + taskId);
        browser.click("Edit task");
        for (int i = 1; i <= 3; i++) {
            browser.click("Add subtask");
        }
        browser.type("Subtask 1 title", "goes away");
        browser.type("Subtask 2 title", "stays");
        browser.click("Remove subtask 1");
        browser.type("Subtask 1 title", "stays, now first");
        browser.click("Save task");
        assertTrue(browser.errorBeside("Subtask 2 title").contains("must be 1-200 characters"));
        assertTrue(fake.task(taskId).getJsonArray("subtasks").isEmpty(), "nothing saved");
    }

    @Test
    void anAdminSavesTheAgentSettingsAndAMemberOnlySeesThem() {
        browser.signIn(admin, "/settings");
        browser.waitForText(By.tagName("h1"), "Background agents");
        new Select(browser.field("Provider")).selectByValue("local");
        browser.type("Agent", "demo");
        browser.type("API key", "sk-ant-secret-9f3a");
        browser.type("Model", "sonnet");
        browser.type("Git token", "ghp_token_7c21");
        assertTrue(browser.field("Enabled").isSelected());
        browser.click("Save");
        browser.waitForText(By.cssSelector("[role=status]"), "Saved.");
        browser.waitForText(By.cssSelector("[role=status]"), "key ...9f3a");
        assertEquals("", browser.field("API key").getAttribute("value"), "the key is never shown again");
        JsonObject saved = fake.config(workspace);
        assertEquals("sk-ant-secret-9f3a", saved.getString("secretKey"));
        assertEquals("...7c21", saved.getString("gitTokenHint"));
        assertEquals("ghp_token_7c21", saved.getString("secretGitToken"));
        assertEquals("demo", saved.getString("agent"));
        assertEquals("", browser.field("Git token").getAttribute("value"), "the git token is never shown again");
        assertFalse(browser.driver.getPageSource().contains("ghp_token_7c21"));
        assertEquals("sonnet", saved.getString("model"));
        assertFalse(browser.driver.getPageSource().contains("sk-ant-secret-9f3a"));

        // the provider's refusal is shown beside the key
        browser.go("/briefs");
        browser.go("/settings");
        new Select(browser.field("Provider")).selectByValue("cursor");
        browser.type("API key", "bad-key-0000");
        browser.click("Save");
        assertTrue(browser.errorBeside("API key").contains("refused"));
        browser.waitForText(By.className("form-error"), "The provider refused the API key");

        browser.signIn(member, "/settings");
        browser.waitForText(By.cssSelector("[role=note]"), "Only workspace admins can change these settings");
        assertFalse(browser.field("Provider").isEnabled());
        assertFalse(browser.field("API key").isEnabled());
        assertFalse(browser.field("Enabled").isEnabled());
        assertEquals("demo", new Select(browser.field("Agent")).getFirstSelectedOption().getText());
        assertEquals(List.of("demo", "claude-code"), new Select(browser.field("Agent")).getOptions().stream().map(WebElement::getText).toList());
        assertFalse(browser.field("Git token").isEnabled());
        browser.waitForText(By.cssSelector("[role=status]"), "git token ...7c21");
        assertTrue(browser.field("Git token").getAttribute("placeholder").contains("...7c21"));
        assertTrue(browser.driver.findElements(By.xpath("//button[normalize-space()='Save']")).isEmpty());
        browser.waitForText(By.cssSelector("[role=status]"), "key ...9f3a");
    }

    @Test
    void aRefusedTokenGoesBackToSignIn() {
        browser.signIn(admin, "/briefs");
        browser.waitForText(By.tagName("h1"), "Briefs");
        fake.refuse(admin);
        browser.go("/settings");
        browser.waitFor(By.xpath("//h1[normalize-space()='Sign in to Handoff']"));
        browser.waitForText(By.cssSelector("[role=alert]"), "refused or has expired");
        assertNull(browser.js("return sessionStorage.getItem('handoff.token')"));
    }

    @Test
    void theTaskViewIsUsableAt390PixelsWide() {
        fake.configure(workspace, "local", true);
        String briefId = fake.seedBrief(workspace, "B", "");
        String taskId = fake.seedTask(workspace, briefId, "A task with a rather long title that has to wrap on a phone");
        browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        try {
            browser.signIn(admin, "/tasks/" + taskId);
            browser.waitFor(By.xpath("//button[normalize-space()='Launch agent']"));
            Number overflow = (Number) browser.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertEquals(0, overflow.intValue(), "no sideways scrolling");
            WebElement input = browser.field("Repository URL");
            assertTrue(input.getRect().getWidth() > 250 && input.getRect().getX() + input.getRect().getWidth() <= 390);
        } finally {
            browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
        }
    }
}
