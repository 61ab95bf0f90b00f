package dev.handoff.console;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.console.fake.FakeHandoff;
import dev.handoff.console.fake.FakeServices;
import dev.handoff.console.fake.Tokens;
import dev.handoff.testsupport.Browser;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;

/**
 * The README's pictures of the console: the task view during a run and after it (1280 px), the same on a phone
 * (390 px), a brief's task list and the settings. {@code web-console/screenshots.sh} writes them to web-console/docs/;
 * a plain test run writes them under target/.
 */
@QuarkusTest
@QuarkusTestResource(FakeServices.class)
class ScreenshotsTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void theTaskViewDuringAndAfterARun() throws Exception {
        Path dir = Path.of(System.getProperty("console.screenshots.dir", "target/screenshots"));
        Files.createDirectories(dir);
        FakeHandoff fake = FakeServices.fake();
        String workspace = "acme";
        String token = Tokens.admin(workspace);
        fake.configure(workspace, "local", true);
        String brief = fake.seedBrief(workspace, "Greeter service", """
                # Greeter service

                The greeter answers **every visitor** by name. Keep the public API stable.

                - Python 3.12, no new dependencies
                - Tests with `pytest`
                """);
        String task = fake.seedTask(workspace, brief, new JsonObject().put("title", "Say hello instead of hi")
                .put("description", "`greet()` still answers **Hi**. Product wants *Hello*, and a test that keeps it so.")
                .put("acceptanceCriteria", new JsonArray().add("greet() returns \"Hello\"").add("A unit test covers it"))
                .put("subtasks", new JsonArray().add(new JsonObject().put("title", "Change greet()").put("description", "src/greet.py"))
                        .add(new JsonObject().put("title", "Add the test").put("description", "tests/test_greet.py"))));
        String other = fake.seedTask(workspace, brief, "Greet by name");
        fake.seedTask(workspace, brief, "Log every greeting");
        String otherRun = fake.launch(workspace, other, "file:///home/me/repos/greeter.git");
        fake.status(otherRun, "RUNNING", null);
        fake.status(otherRun, "FAILED", new JsonObject().put("code", "agent-failed").put("message", "the agent exited with 1"));

        try (Browser browser = new Browser(root.toString(), 1280, 900)) {
            browser.signIn(token, "/tasks/" + task);
            browser.type("Repository URL", "file:///home/me/repos/greeter.git");
            browser.type("Branch", "main");
            browser.type("Instructions", "Keep the change small.");
            browser.click("Launch agent");
            browser.waitForText(By.className("run-status"), "PENDING");
            String run = fake.latestRunId(task);
            browser.until(d -> fake.openStreams() > 0 ? true : null);
            fake.status(run, "RUNNING", null);
            fake.activity(run, "step", "Cloned file:///home/me/repos/greeter.git at main (3 files)");
            fake.activity(run, "step", "Created branch " + fake.run(run).getString("targetBranch"));
            fake.activity(run, "step", "Started the agent (demo) in its sandbox");
            fake.activity(run, "message", "I'll change greet() to return \"Hello\" and add a test for it.");
            fake.activity(run, "tool", "read src/greet.py");
            fake.activity(run, "tool", "edit src/greet.py: return \"Hello\"");
            fake.activity(run, "tool", "write tests/test_greet.py");
            fake.activity(run, "log", "$ python -m pytest -q", "..", "2 passed in 0.03s");
            fake.activity(run, "tool", "bash: git diff --stat");
            fake.activity(run, "log", " src/greet.py        | 2 +-", " tests/test_greet.py | 2 ++", " 2 files changed, 3 insertions(+), 1 deletion(-)");
            browser.waitForText(By.className("run-status"), "RUNNING");
            browser.waitForText(By.cssSelector(".activity"), "2 passed in 0.03s");
            shoot(browser, 1280, dir.resolve("task-running.png"));

            fake.activity(run, "message", "Done: greet() returns \"Hello\"; tests/test_greet.py covers it.");
            fake.activity(run, "step", "Committed 2 files: Make greet say hello");
            fake.activity(run, "step", "Pushed " + fake.run(run).getString("targetBranch"));
            fake.activity(run, "step", "Opened the pull request");
            fake.usage(run, 48_000L, 18_432L, 2_150L, 0.19);
            fake.complete(run, ConsoleBrowserTest.DIFF);
            browser.waitForText(By.className("run-status"), "COMPLETED");
            browser.waitForText(By.cssSelector("#diff .diff-file h4"), "src/greet.py");
            shoot(browser, 1280, dir.resolve("task-completed.png"));
            Files.write(dir.resolve("task-diff.png"), browser.driver.findElement(By.id("diff")).getScreenshotAs(OutputType.BYTES));
            shootPhone(browser, "agent-title", dir.resolve("task-phone.png"));

            browser.go("/briefs/" + brief);
            browser.until(d -> d.findElements(By.cssSelector(".task-row")).size() == 3 ? true : null);
            shoot(browser, 1280, dir.resolve("brief-tasks.png"));

            browser.go("/settings");
            browser.waitForText(By.tagName("h1"), "Background agents");
            shoot(browser, 1280, dir.resolve("settings.png"));
        }
        for (String name : new String[] {"task-running.png", "task-completed.png", "task-diff.png", "task-phone.png", "brief-tasks.png", "settings.png"}) {
            assertTrue(Files.size(dir.resolve(name)) > 10_000, name + " was written");
        }
    }

    /** The whole page at this width (the window grows to the page's height, plus what the window's frame takes). */
    private static void shoot(Browser browser, int width, Path file) throws Exception {
        browser.driver.manage().window().setSize(new Dimension(width, 900));
        int frame = 900 - ((Number) browser.js("return window.innerHeight")).intValue();
        Number height = (Number) browser.js("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)");
        browser.driver.manage().window().setSize(new Dimension(width, Math.min(8000, height.intValue() + frame)));
        browser.js("window.scrollTo(0, 0)");
        Files.write(file, browser.driver.getScreenshotAs(OutputType.BYTES));
        browser.driver.manage().window().setSize(new Dimension(1280, 900));
    }

    /** What a phone shows (390 x 844) with the element at the top of the screen. */
    private static void shootPhone(Browser browser, String elementId, Path file) throws Exception {
        browser.driver.manage().window().setSize(new Dimension(390, 844));
        int frame = 844 - ((Number) browser.js("return window.innerHeight")).intValue();
        browser.driver.manage().window().setSize(new Dimension(390, 844 + frame));
        browser.js("document.getElementById(arguments[0]).scrollIntoView()", elementId);
        Files.write(file, browser.driver.getScreenshotAs(OutputType.BYTES));
        browser.driver.manage().window().setSize(new Dimension(1280, 900));
    }
}
