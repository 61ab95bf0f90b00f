package dev.handoff.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Debian Chromium driven through chromedriver, with the few lookups the browser tests share (fields by
 * their label, buttons by their name, errors beside a field). Used by the web console's tests against its fakes and by
 * the e2e suite against the real stack; both declare the Selenium dependencies (optional here).
 */
public final class Browser implements AutoCloseable {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    public final ChromeDriver driver;
    private final String root;

    /** A browser for the console served at {@code root} (ending with "/"), with a window of this size. */
    public Browser(String root, int width, int height) {
        ensureInstalled();
        this.root = root;
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // the networking flags keep Chromium from dialing hosts a build machine cannot reach
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=" + width + "," + height, "--lang=en-US", "--force-device-scale-factor=1");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    /** The browser is a package of the machine: the module's script installs it (Debian, as root) when it is missing. */
    public static void ensureInstalled() {
        if (!Files.isExecutable(Path.of(CHROMEDRIVER)) || !Files.isExecutable(Path.of(CHROMIUM))) {
            try {
                Process p = new ProcessBuilder("bash", RepoRoot.find().resolve("web-console/install-browser.sh").toString())
                        .inheritIO().start();
                p.waitFor();
            } catch (Exception e) {
                throw new IllegalStateException("could not run web-console/install-browser.sh", e);
            }
        }
        assertTrue(Files.isExecutable(Path.of(CHROMEDRIVER)) && Files.isExecutable(Path.of(CHROMIUM)),
                "the browser tests need Debian's chromium and chromium-driver: run web-console/install-browser.sh as root");
    }

    /** Opens the console signed in with the token, at a screen ("/tasks/<id>"), the way ./handoff console links do. */
    public void signIn(String token, String screen) {
        driver.get(root + "#token=" + token + (screen == null ? "" : "&next=" + screen));
    }

    public void go(String hash) {
        driver.get(root + "#" + hash);
    }

    public WebElement waitFor(By by) {
        return until(d -> {
            List<WebElement> found = d.findElements(by);
            return found.stream().filter(WebElement::isDisplayed).findFirst().orElse(null);
        });
    }

    public void waitForText(By by, String text) {
        until(d -> d.findElements(by).stream().anyMatch(e -> e.getText().contains(text)) ? true : null);
    }

    public <T> T until(ExpectedCondition<T> condition) {
        return until(Duration.ofSeconds(30), condition);
    }

    /** Waits up to {@code timeout} (a real agent takes longer than the fakes). */
    public <T> T until(Duration timeout, ExpectedCondition<T> condition) {
        return new WebDriverWait(driver, timeout).pollingEvery(Duration.ofMillis(50))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
    }

    /** The input, select or textarea whose label reads exactly {@code label}. */
    public WebElement field(String label) {
        WebElement l = waitFor(By.xpath("//label[normalize-space()='" + label + "']"));
        return driver.findElement(By.id(l.getAttribute("for")));
    }

    /** The error shown beside a field (inside the field's wrapper). */
    public String errorBeside(String label) {
        WebElement input = field(label);
        WebElement wrapper = input.findElement(By.xpath("ancestor::div[contains(@class,'field')][1]"));
        return until(d -> wrapper.findElements(By.className("field-error")).stream().map(WebElement::getText)
                .filter(t -> !t.isBlank()).findFirst().orElse(null));
    }

    public void type(String label, String text) {
        WebElement input = field(label);
        input.clear();
        if (text.contains("\n")) {
            // several lines go in as the value (sendKeys' Enter is a key press, not a line break, in some drivers)
            js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))", input, text);
        } else {
            input.sendKeys(text);
        }
    }

    public WebElement button(String name) {
        return waitFor(By.xpath("//button[normalize-space()='" + name + "']"));
    }

    /** Clicks the button named so; a live screen may have just redrawn it, so a stale one is looked up again. */
    public void click(String buttonName) {
        for (int attempt = 1; ; attempt++) {
            try {
                button(buttonName).click();
                return;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** A fresh page with nothing in the tab's sessionStorage. */
    public void reset() {
        go("/signin");
        js("sessionStorage.clear()");
        driver.navigate().refresh();
        waitFor(By.xpath("//h1[normalize-space()='Sign in to Handoff']"));
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    public String url() {
        return driver.getCurrentUrl();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
